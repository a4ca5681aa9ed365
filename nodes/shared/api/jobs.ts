/**
 * The AsyncJob endpoints (nucleus-api.md 5.1): `GET job/{id}` and `GET job/{id}/errors`. Both are
 * reads, so the transport may repeat them; each answer is checked before it is returned.
 */
import { parseJobErrors, type JobError } from '../jobs/errors';
import { normalizeJobStatus, type JobStatusView } from '../jobs/status';
import type { NucleusClient } from '../transport';
import { encodePathSegment } from '../transport';

export async function getJobStatus(
	client: NucleusClient,
	jobId: string,
	options: { itemIndex?: number; retry?: boolean } = {},
): Promise<JobStatusView> {
	const raw = await client.request('GET', `job/${encodePathSegment(jobId)}`, {
		itemIndex: options.itemIndex,
		retry: options.retry ?? true,
	});
	return normalizeJobStatus(raw, jobId);
}

export async function getJobErrors(
	client: NucleusClient,
	jobId: string,
	itemIndex?: number,
): Promise<JobError[]> {
	const raw = await client.request('GET', `job/${encodePathSegment(jobId)}/errors`, { itemIndex });
	return parseJobErrors(raw);
}
