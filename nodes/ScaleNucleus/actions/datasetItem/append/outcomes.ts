/**
 * Step 5 of Append: what happened to each item, from the answers (pure).
 *
 * An item is reported stored only when a count or a finished job says so: `new`, `updated` or
 * `ignored` where the answer tells (pre-2026 counts), `appended` where a job finished without naming
 * it in its errors. `failed` carries the error. `unconfirmed` is for the items the answers leave open
 * (a job that failed partly with errors that name no item, counts that do not add up): check them
 * with Dataset Item → Get. `already_present` is for the items Skip Items Already in Dataset did not
 * send because the dataset held their reference ID (existing.ts): stored, and left as they were,
 * like `ignored`, but known before sending rather than from Nucleus' counts.
 */
import type { AppendCounts } from '../../../../shared/api/answers';
import { mapErrorsToItems, type JobError } from '../../../../shared/jobs/errors';
import type { JobStatusView } from '../../../../shared/jobs/status';
import type { PlannedItem } from './plan';

export type Outcome =
	| 'new'
	| 'updated'
	| 'ignored'
	| 'appended'
	| 'already_present'
	| 'failed'
	| 'unconfirmed';

export interface ItemResult {
	itemIndex: number;
	reference_id: string;
	dataset_id: string;
	image_url: string;
	outcome: Outcome;
	succeeded: boolean;
	error?: string;
	job_id?: string;
	job_status?: string;
}

function result(item: PlannedItem, outcome: Outcome, extra: Partial<ItemResult> = {}): ItemResult {
	return {
		itemIndex: item.itemIndex,
		reference_id: item.payload.reference_id,
		dataset_id: item.datasetId,
		image_url: item.payload.image_url,
		outcome,
		succeeded: outcome !== 'failed' && outcome !== 'unconfirmed',
		...extra,
	};
}

/** Items not sent because the dataset already held their reference ID: no job, nothing changed. */
export function outcomesAlreadyPresent(items: PlannedItem[]): ItemResult[] {
	return items.map((p) => result(p, 'already_present'));
}

/**
 * Per-item outcomes from the counts of a pre-2026 synchronous answer (nucleus-api.md 2.4). The
 * counts are per request: the category is exact when every accepted item fell in one, else
 * `appended`. Failures are attributed by the `error_payload` entries' reference IDs; failures the
 * answer counts but does not list leave the batch's other items `unconfirmed` (a one-item request
 * is then `failed`).
 */
export function outcomesFromCounts(counts: AppendCounts, items: PlannedItem[]): ItemResult[] {
	const failed = new Map<string, string>();
	for (const entry of counts.error_payload) {
		const ref = entry.reference_id ?? entry.ref_id;
		if (typeof ref === 'string') {
			failed.set(ref, typeof entry.error === 'string' ? entry.error : 'Nucleus rejected the item');
		}
	}
	const accepted = items.filter((p) => !failed.has(p.payload.reference_id));
	const stored = counts.new_items + counts.updated_items + counts.ignored_items;
	const unattributed = Math.max(0, counts.upload_errors - failed.size);
	const consistent = unattributed === 0 && stored === accepted.length;
	let common: Outcome = 'appended';
	if (consistent) {
		if (counts.new_items === stored) common = 'new';
		else if (counts.updated_items === stored) common = 'updated';
		else if (counts.ignored_items === stored) common = 'ignored';
	}
	const openMessage = `Nucleus answered for ${items.length} items with ${counts.new_items} new, ${counts.updated_items} updated, ${counts.ignored_items} ignored and ${counts.upload_errors} failed, without saying which failed. Check this item with Dataset Item → Get.`;
	return items.map((p) => {
		const error = failed.get(p.payload.reference_id);
		if (error !== undefined) return result(p, 'failed', { error });
		if (consistent) return result(p, common);
		if (items.length === 1 && unattributed > 0) {
			return result(p, 'failed', { error: 'Nucleus reported an upload error for this item' });
		}
		return result(p, 'unconfirmed', { error: openMessage });
	});
}

/**
 * Per-item outcomes of a finished job. An error that quotes an item's image URL or names its
 * reference ID fails that item. The other items are `appended` when the job Completed with no error
 * that names nobody, or when every error of a failed job was attributed; a one-item job that did not
 * complete has failed; otherwise they are `unconfirmed`, with the job's unattributed errors.
 */
export function outcomesFromJob(
	items: PlannedItem[],
	status: JobStatusView,
	errors: JobError[],
): ItemResult[] {
	const jobId = status.job_id;
	const { byItem, unmatched } = mapErrorsToItems(
		errors,
		items.map((p) => ({
			itemIndex: p.itemIndex,
			referenceId: p.payload.reference_id,
			imageUrl: p.payload.image_url,
		})),
	);
	const job = { job_id: jobId, job_status: status.status };
	const allAttributed = unmatched.length === 0;
	const othersStored = allAttributed && (status.succeeded || (status.errored && byItem.size > 0));
	const jobMessage =
		`Job ${jobId} ended ${status.status}` +
		(unmatched.length
			? ` with ${unmatched.length} error(s) that name no item, e.g. ${unmatched[0]}`
			: errors.length === 0
				? ' and reported no errors'
				: '');
	return items.map((p) => {
		const itemErrors = byItem.get(p.itemIndex);
		if (itemErrors) return result(p, 'failed', { ...job, error: itemErrors.join('\n') });
		if (othersStored) return result(p, 'appended', job);
		if (items.length === 1 && !status.succeeded) {
			return result(p, 'failed', { ...job, error: jobMessage });
		}
		return result(p, 'unconfirmed', {
			...job,
			error: `${jobMessage}; whether this item was stored is not known. Check it with Dataset Item → Get.`,
		});
	});
}
