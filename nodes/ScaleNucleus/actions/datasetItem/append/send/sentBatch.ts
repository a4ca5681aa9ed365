/**
 * What one append request (or, for remote items, one presigned upload plus its append) came back
 * with, for the items it carried: the server's answer, already checked (shared/api/answers.ts), or
 * the error that made the request fail for good.
 */
import type { AppendAnswer } from '../../../../../shared/api/answers';
import {
	isThrottleStatus,
	type AdaptiveConcurrency,
	type PoolSlot,
} from '../../../../../shared/pool';
import type { NucleusClient, RequestOptions } from '../../../../../shared/transport';
import { encodePathSegment } from '../../../../../shared/transport';
import type { PlannedItem } from '../plan';
import type { AppendProgress } from '../progress';

export type SentBatch<T extends PlannedItem = PlannedItem> = { datasetId: string; items: T[] } & (
	| { ok: true; answer: AppendAnswer }
	| { ok: false; error: Error }
);

/**
 * One `POST dataset/{id}/append` as a task of an adaptive pool: a 429 lowers the pool's concurrency,
 * and a request waiting to retry lends its slot to another one. Returns the raw answer.
 *
 * Its kind for the retry policy (shared/transport/retryPolicy.ts): with `?async=1` the request starts
 * one job (a multipart batch: 'batchAppendJob'); without, it is a pre-2026 synchronous append keyed by
 * reference_id ('legacyAppend').
 */
export async function pooledAppendRequest(
	client: NucleusClient,
	pool: { limit: AdaptiveConcurrency; slot: PoolSlot },
	datasetId: string,
	options: Pick<RequestOptions, 'json' | 'form' | 'query' | 'itemIndex'>,
	progress?: AppendProgress,
): Promise<unknown> {
	const { limit, slot } = pool;
	const epoch = limit.epoch;
	let throttled = false;
	const startsJob = options.query?.async !== undefined;
	if (progress) progress.inFlight++;
	const answer = await client
		.request('POST', `dataset/${encodePathSegment(datasetId)}/append`, {
			...options,
			kind: startsJob ? 'batchAppendJob' : 'legacyAppend',
			onRetry: ({ status }) => {
				if (isThrottleStatus(status)) {
					throttled = true;
					limit.throttled(epoch);
					if (progress) progress.throttled++;
				}
				// While it waits to retry, another request may use its slot.
				slot.release();
			},
			beforeRetry: async () => await slot.acquire(),
		})
		.finally(() => {
			if (progress) progress.inFlight--;
		});
	if (!throttled) limit.succeeded();
	return answer;
}
