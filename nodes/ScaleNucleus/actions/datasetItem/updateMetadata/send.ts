/**
 * Step 2 of Update Metadata: the requests. Synchronously, each dataset's items go in requests of at
 * most `batchSize` (≤ 500, the SDK's limit), a few in flight; asynchronously, each dataset's items go
 * in one request that answers with one job. Every answer is checked (shared/api/metadata.ts); a
 * request that fails for good fails the items it carried, not the others.
 */
import type { AsyncJobInfo } from '../../../../shared/api/types';
import {
	postMetadataUpdate,
	readMetadataJob,
	readMetadataResult,
	type MetadataUpdateResult,
} from '../../../../shared/api/metadata';
import { runPool } from '../../../../shared/pool';
import { makeAbortError, type NucleusClient } from '../../../../shared/transport';
import { groupByDataset } from '../shared/groupByDataset';
import type { PlannedUpdate } from './plan';

/** Synchronous requests in flight at once: enough to hide latency, few enough not to crowd the API. */
const SYNC_CONCURRENCY = 4;

export type Sent = { datasetId: string; updates: PlannedUpdate[] } & (
	| { ok: true; result: MetadataUpdateResult }
	| { ok: true; job: AsyncJobInfo }
	| { ok: false; error: Error }
);

function entries(updates: PlannedUpdate[]) {
	return updates.map((u) => ({ reference_id: u.referenceId, metadata: u.metadata }));
}

/** The requests of one run, in input order of their first item. */
function requests(updates: PlannedUpdate[], size: number) {
	const out: Array<{ datasetId: string; updates: PlannedUpdate[] }> = [];
	for (const [datasetId, list] of groupByDataset(updates)) {
		for (let i = 0; i < list.length; i += size) {
			out.push({ datasetId, updates: list.slice(i, i + size) });
		}
	}
	return out.sort((a, b) => a.updates[0].itemIndex - b.updates[0].itemIndex);
}

export async function sendUpdates(
	client: NucleusClient,
	updates: PlannedUpdate[],
	options: { asynchronous: boolean; batchSize: number; signal?: AbortSignal },
): Promise<Sent[]> {
	const { asynchronous } = options;
	const planned = requests(updates, asynchronous ? Infinity : options.batchSize);
	const sent: Sent[] = new Array(planned.length);
	await runPool(
		planned.length,
		asynchronous ? 1 : SYNC_CONCURRENCY,
		async (k) => {
			const { datasetId, updates: batch } = planned[k];
			try {
				const raw = await postMetadataUpdate(client, datasetId, entries(batch), {
					asynchronous,
					itemIndex: batch[0].itemIndex,
				});
				sent[k] = asynchronous
					? { datasetId, updates: batch, ok: true, job: readMetadataJob(raw, datasetId) }
					: { datasetId, updates: batch, ok: true, result: readMetadataResult(raw, datasetId) };
			} catch (error) {
				if (options.signal?.aborted) throw makeAbortError();
				sent[k] = { datasetId, updates: batch, ok: false, error: error as Error };
			}
		},
		options.signal,
	);
	// A cancelled run stops starting requests: the ones never sent have no answer to report.
	if (options.signal?.aborted) throw makeAbortError();
	return sent;
}
