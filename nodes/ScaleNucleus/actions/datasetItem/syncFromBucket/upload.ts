/**
 * Sending one chunk as one append job: the remote form of the API (the SDK's async append):
 * `GET dataset/{id}/signedUrl/{requestId}`, `PUT` the NDJSON to that presigned URL (no
 * Authorization header; a Content-Length, as S3 refuses chunked uploads), then
 * `POST dataset/{id}/append?async=1` with `{requestId, update}`, answered by the AsyncJob.
 */
import { randomUUID } from 'node:crypto';

import { readAppendAnswer } from '../../../../shared/api/answers';
import type { AsyncJobInfo } from '../../../../shared/api/types';
import { UnexpectedAnswerError } from '../../../../shared/api/unexpected';
import type { NucleusClient } from '../../../../shared/transport';
import { encodePathSegment } from '../../../../shared/transport';
import type { Chunk } from './chunks';

export async function uploadChunk(
	client: NucleusClient,
	datasetId: string,
	chunk: Chunk,
	update: boolean,
	itemIndex: number,
): Promise<AsyncJobInfo> {
	const requestId = randomUUID().replace(/-/g, '');
	const dataset = encodePathSegment(datasetId);
	const signed = await client.request<{ signed_url?: unknown }>(
		'GET',
		`dataset/${dataset}/signedUrl/${requestId}`,
		{ itemIndex },
	);
	if (!signed || typeof signed.signed_url !== 'string') {
		throw new UnexpectedAnswerError(
			`Nucleus did not return an upload URL for dataset ${datasetId}`,
			'The answer had no signed_url field; nothing of this chunk was sent.',
		);
	}
	// A few MB (MAX_CHUNK_BYTES at most): one buffer, so a retried PUT sends the same bytes.
	const body = Buffer.from(chunk.lines.join(''), 'utf8');
	await client.putPresigned(signed.signed_url, () => body, { itemIndex });
	const raw = await client.request('POST', `dataset/${dataset}/append`, {
		kind: 'uploadAppendJob',
		uploadUrl: signed.signed_url,
		query: { async: 1 },
		json: { requestId, update },
		itemIndex,
	});
	const answer = readAppendAnswer(raw, datasetId);
	if (answer.kind !== 'job') {
		throw new UnexpectedAnswerError(
			`Nucleus answered the append of ${chunk.lines.length} objects to dataset ${datasetId} with counts, not a job`,
			'The objects may be in the dataset; the next run sends only what it lacks.',
		);
	}
	return answer.job;
}
