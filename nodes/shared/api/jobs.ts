/**
 * The AsyncJob endpoints (nucleus-api.md 5.1): `GET job/{id}`, `GET job/{id}/errors` and the job
 * list `POST jobs/`. All are reads, so the transport may repeat them; each answer is checked before
 * it is returned.
 */
import { OperationalError } from 'n8n-workflow';

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

/** `POST jobs/` returns at most this many jobs (the SDK's JOB_REQ_LIMIT, its default and maximum). */
export const JOB_LIST_LIMIT = 50_000;

/** The body of `POST jobs/` (the SDK's JobInfoRequestPayload, nucleus-api.md 5.1). */
export interface JobListFilter {
	datasetId: string | null;
	/** Empty: every type. */
	jobTypes: string[];
	/** Day strings (YYYY-MM-DD) or null; the API compares by day. */
	fromDate: string | null;
	toDate: string | null;
	/** At most JOB_LIST_LIMIT. */
	limit: number;
	/** false: the API leaves Completed jobs out. */
	showCompleted: boolean;
}

/** One entry of the job list, as the API gives it (`job/{id}/info` shape), with its fields checked. */
export interface ListedJob {
	job_id: string;
	/** `job_last_known_status`, trimmed; '' when the entry has none. */
	status: string;
	job_type: string | null;
	dataset_id: string | null;
	/** As the API sends it (an ISO string in practice), or null. */
	job_creation_time: string | null;
}

/**
 * `POST jobs/`: the jobs matching `filter`. The answer must be a JSON array; entries without a job ID
 * are skipped, and an entry of another type or dataset than asked for is left out, so the result is
 * right even if the server ignores a filter. `reachedLimit` says the list may be cut.
 */
export async function listJobs(
	client: NucleusClient,
	filter: JobListFilter,
	itemIndex?: number,
): Promise<{ jobs: ListedJob[]; reachedLimit: boolean }> {
	const raw = await client.request<unknown>('POST', 'jobs/', {
		itemIndex,
		json: {
			dataset_id: filter.datasetId,
			job_types: filter.jobTypes,
			from_date: filter.fromDate,
			to_date: filter.toDate,
			limit: filter.limit,
			show_completed: filter.showCompleted,
		},
	});
	if (!Array.isArray(raw)) {
		throw new OperationalError(
			'Nucleus returned an unexpected answer to the job list (POST jobs/)',
			{ description: 'Expected a JSON array of jobs. Check the Base URL in the credential.' },
		);
	}
	const types = new Set(filter.jobTypes);
	const jobs: ListedJob[] = [];
	for (const entry of raw as Array<Record<string, unknown> | null>) {
		if (!entry || typeof entry.job_id !== 'string') continue;
		const jobType = typeof entry.job_type === 'string' ? entry.job_type : null;
		if (types.size > 0 && jobType !== null && !types.has(jobType)) continue;
		const datasetId = typeof entry.dataset_id === 'string' ? entry.dataset_id : null;
		if (filter.datasetId && datasetId !== null && datasetId !== filter.datasetId) continue;
		jobs.push({
			job_id: entry.job_id,
			status:
				typeof entry.job_last_known_status === 'string' ? entry.job_last_known_status.trim() : '',
			job_type: jobType,
			dataset_id: datasetId,
			job_creation_time:
				typeof entry.job_creation_time === 'string' ? entry.job_creation_time : null,
		});
	}
	return { jobs, reachedLimit: raw.length >= filter.limit };
}
