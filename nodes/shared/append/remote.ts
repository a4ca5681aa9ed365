import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { mapErrorsToItems } from '../jobs';
import { toNdjsonLine } from '../items';
import { asNodeError } from '../errors';
import { AdaptiveConcurrency, chunk, runPool } from '../pool';
import type { NucleusClient } from '../transport';
import { encodePathSegment } from '../transport';
import type { AsyncJobInfo } from '../types';
import { getJobErrors, waitForJob, type JobStatusView } from '../waitForJob';
import { groupByDataset, type PlannedItem } from './collect';
import type { ItemFailure, ItemResult } from './results';
import { postAppend } from './results';

/** Largest NDJSON file the API accepts for one job (the SDK's MAX_PAYLOAD_SIZE). */
export const MAX_NDJSON_BYTES = 0x1fffffe8;

const LINES_PER_CHUNK = 256;

/** Streams the NDJSON lines of `items` in chunks, without building one giant string. */
function ndjsonStream(items: PlannedItem[]): Readable {
	function* lines() {
		for (let i = 0; i < items.length; i += LINES_PER_CHUNK) {
			let text = '';
			const end = Math.min(items.length, i + LINES_PER_CHUNK);
			for (let j = i; j < end; j++) text += toNdjsonLine(items[j].payload);
			yield Buffer.from(text, 'utf8');
		}
	}
	return Readable.from(lines(), { objectMode: false });
}

/**
 * Byte length of the NDJSON, for the presigned PUT's Content-Length (S3 refuses chunked uploads).
 * The lines are serialised here and again while streaming: twice the JSON work, in exchange for
 * never holding the whole file (hundreds of MB for large jobs) in memory.
 */
function ndjsonLength(items: PlannedItem[]): number {
	let total = 0;
	for (const item of items) total += Buffer.byteLength(toNdjsonLine(item.payload), 'utf8');
	return total;
}

export interface AsyncSubmission {
	datasetId: string;
	job: AsyncJobInfo;
	items: PlannedItem[];
	ndjsonBytes: number;
}

/**
 * The asynchronous append: `GET signedUrl/{requestId}`, `PUT` the items as NDJSON to the presigned
 * URL (no Authorization header; S3 rejects two auth mechanisms), then `POST append?async=1` with
 * `{requestId, update}`, which answers at once with the AsyncJob.
 */
export async function submitAsyncAppend(
	node: INode,
	client: NucleusClient,
	datasetId: string,
	items: PlannedItem[],
	update: boolean,
): Promise<AsyncSubmission> {
	const ndjsonBytes = ndjsonLength(items);
	if (ndjsonBytes > MAX_NDJSON_BYTES) {
		throw new NodeOperationError(
			node,
			`The items for dataset ${datasetId} make ${ndjsonBytes} bytes of NDJSON, more than the ${MAX_NDJSON_BYTES} bytes Nucleus accepts in one job`,
			{
				description:
					'Split the input into smaller runs, for example with the Loop Over Items node.',
			},
		);
	}
	const requestId = randomUUID().replace(/-/g, '');
	const dataset = encodePathSegment(datasetId);
	const signed = await client.request<{ signed_url: string }>(
		'GET',
		`dataset/${dataset}/signedUrl/${requestId}`,
	);
	if (!signed || typeof signed.signed_url !== 'string') {
		throw new NodeOperationError(node, 'Nucleus did not return an upload URL for the items', {
			description: `Dataset ${datasetId}; the response had no signed_url field.`,
		});
	}
	await client.putPresigned(signed.signed_url, () => ndjsonStream(items), {
		contentLength: ndjsonBytes,
	});
	const job = await client.request<AsyncJobInfo>('POST', `dataset/${dataset}/append`, {
		query: { async: 1 },
		json: { requestId, update },
	});
	return { datasetId, job, items, ndjsonBytes };
}

/** Waits for an async append job and maps its errors back to the input items. */
export async function resolveAsyncAppend(
	node: INode,
	client: NucleusClient,
	submission: AsyncSubmission,
	options: { intervalMs: number; timeoutMs: number; signal?: AbortSignal },
): Promise<{ status: JobStatusView; errors: string[]; results: ItemResult[] }> {
	const jobId = submission.job.job_id;
	const status = await waitForJob(node, client, jobId, options);
	let errors: Awaited<ReturnType<typeof getJobErrors>>;
	try {
		errors = await getJobErrors(client, jobId);
	} catch (error) {
		throw new NodeOperationError(
			node,
			`Job ${jobId} finished ${status.status}, but its errors could not be read: ${(error as Error).message}`,
			{
				description: `The job's items may already be in the dataset. Read the errors later with Job → Get Errors and Job ID ${jobId}; re-running the append with the same reference IDs does not duplicate items.`,
			},
		);
	}
	const { byItem, unmatched } = mapErrorsToItems(
		errors,
		submission.items.map((p) => ({
			itemIndex: p.itemIndex,
			referenceId: p.payload.reference_id,
			imageUrl: p.payload.image_url,
		})),
	);
	const wholeJobFailed =
		!status.succeeded && status.status !== 'Errored_Partial' && byItem.size === 0;
	const results = submission.items.map((p): ItemResult => {
		const itemErrors = byItem.get(p.itemIndex);
		const failed = itemErrors !== undefined || wholeJobFailed;
		return {
			itemIndex: p.itemIndex,
			reference_id: p.payload.reference_id,
			dataset_id: submission.datasetId,
			outcome: failed ? 'failed' : 'appended',
			succeeded: !failed,
			...(failed
				? {
						error: itemErrors
							? itemErrors.join('\n')
							: `Job ${jobId} ended ${status.status}${unmatched.length ? `: ${unmatched[0]}` : ''}`,
					}
				: {}),
			job_id: jobId,
		};
	});
	return { status, errors: errors.map((e) => e.text), results };
}

/**
 * The synchronous append: JSON `{items, update}` in batches of fewer than 30 items, a few batches
 * in flight. A batch whose request fails for good turns each of its items into a failure.
 */
export async function appendSyncBatches(
	node: INode,
	client: NucleusClient,
	items: PlannedItem[],
	update: boolean,
	options: { batchSize: number; concurrency: number; signal?: AbortSignal },
): Promise<{ results: ItemResult[]; failures: ItemFailure[] }> {
	const batches: PlannedItem[][] = [];
	for (const list of groupByDataset(items).values())
		batches.push(...chunk(list, options.batchSize));

	const results: ItemResult[] = [];
	const failures: ItemFailure[] = [];
	// At most `concurrency` batches in flight; fewer while Nucleus throttles (see AdaptiveConcurrency).
	const limit = new AdaptiveConcurrency(options.concurrency);
	await runPool(
		batches.length,
		limit,
		async (b, slot) => {
			const batch = batches[b];
			try {
				results.push(
					...(await postAppend(client, { limit, slot }, batch, {
						json: { items: batch.map((p) => p.payload), update },
					})),
				);
			} catch (error) {
				if (options.signal?.aborted) throw asNodeError(node, error);
				for (const p of batch) failures.push({ itemIndex: p.itemIndex, error: error as Error });
			}
		},
		options.signal,
	);
	return { results, failures };
}
