import type { AdaptiveConcurrency, PoolSlot } from '../pool';
import { isThrottleStatus } from '../pool';
import type { NucleusClient, RequestOptions } from '../transport';
import { encodePathSegment } from '../transport';
import type { AppendResponse } from '../types';
import type { PlannedItem } from './collect';

/** What happened to one input item. `appended` = accepted by an async job that reports no per-item detail. */
export type Outcome = 'new' | 'updated' | 'ignored' | 'appended' | 'failed';

export interface ItemResult {
	itemIndex: number;
	reference_id: string;
	dataset_id: string;
	outcome: Outcome;
	succeeded: boolean;
	error?: string;
	job_id?: string;
}

/** An item whose request failed for good (after retries): becomes an error item or stops the node. */
export interface ItemFailure {
	itemIndex: number;
	error: Error;
}

/**
 * Per-item outcome from a synchronous append response. The API gives counts per request; the
 * outcome is exact when the request held one item, or when every accepted item fell in one
 * category. In a mixed batch the accepted items are reported as `appended`.
 */
export function outcomesFromCounts(
	response: AppendResponse,
	referenceIds: string[],
): Map<string, { outcome: Outcome; error?: string }> {
	const out = new Map<string, { outcome: Outcome; error?: string }>();
	const failed = new Map<string, string>();
	for (const entry of response.error_payload ?? []) {
		const ref =
			(entry as { reference_id?: string; ref_id?: string }).reference_id ??
			(entry as { ref_id?: string }).ref_id;
		if (typeof ref === 'string') {
			failed.set(ref, typeof entry.error === 'string' ? entry.error : 'Nucleus rejected the item');
		}
	}
	const accepted = referenceIds.filter((r) => !failed.has(r));
	const counts = {
		new: Number(response.new_items ?? 0),
		updated: Number(response.updated_items ?? 0),
		ignored: Number(response.ignored_items ?? 0),
	};
	let common: Outcome = 'appended';
	for (const key of ['new', 'updated', 'ignored'] as const) {
		if (counts[key] === accepted.length && accepted.length > 0) common = key;
	}
	// Failures without an error payload: the count says how many, not which.
	const unattributed = Math.max(0, Number(response.upload_errors ?? 0) - failed.size);
	for (const ref of referenceIds) {
		const error = failed.get(ref);
		if (error !== undefined) out.set(ref, { outcome: 'failed', error });
		else if (unattributed > 0 && referenceIds.length === 1)
			out.set(ref, { outcome: 'failed', error: 'Nucleus reported an upload error for this item' });
		else out.set(ref, { outcome: common });
	}
	return out;
}

/**
 * One synchronous append request (JSON batch or one multipart item) as a task of an adaptive pool:
 * a 429 lowers the pool's concurrency, a request waiting to retry lends its slot to another, and
 * the response's counts become per-item results.
 */
export async function postAppend(
	client: NucleusClient,
	pool: { limit: AdaptiveConcurrency; slot: PoolSlot },
	items: PlannedItem[],
	body: Pick<RequestOptions, 'json' | 'form'>,
): Promise<ItemResult[]> {
	const { limit, slot } = pool;
	const datasetId = items[0].datasetId;
	const epoch = limit.epoch;
	let throttled = false;
	const response = await client.request<AppendResponse>(
		'POST',
		`dataset/${encodePathSegment(datasetId)}/append`,
		{
			...body,
			itemIndex: items[0].itemIndex,
			onRetry: ({ status }) => {
				if (isThrottleStatus(status)) {
					throttled = true;
					limit.throttled(epoch);
				}
				// While it waits to retry, another request may use its slot.
				slot.release();
			},
			beforeRetry: async () => await slot.acquire(),
		},
	);
	if (!throttled) limit.succeeded();
	const outcomes = outcomesFromCounts(
		response,
		items.map((p) => p.payload.reference_id),
	);
	return items.map((p): ItemResult => {
		const o = outcomes.get(p.payload.reference_id) ?? { outcome: 'appended' as const };
		return {
			itemIndex: p.itemIndex,
			reference_id: p.payload.reference_id,
			dataset_id: datasetId,
			outcome: o.outcome,
			succeeded: o.outcome !== 'failed',
			...(o.error ? { error: o.error } : {}),
		};
	});
}
