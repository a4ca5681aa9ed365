/**
 * What happened to each item of Update Metadata, from the answers (pure). An item is reported
 * `updated` only when an answer accounts for it: a synchronous answer whose count of updated items
 * plus the items its errors name make up the request, or a finished job whose errors all name their
 * items. `accepted` is a synchronous 2xx answer with no count and no error or failure at all: Nucleus
 * took the request and reported nothing wrong, which is all such an answer can say (its shape is not
 * public). It counts as a success (`succeeded: true`): sending it down the failure branch would
 * report applied updates as failed, and reading every item back would cost one request per item
 * while still not proving who wrote what it shows. `failed` carries the error that names the item.
 * `unconfirmed` is for the items an answer leaves open (a count that does not add up, errors that
 * name no item, errors without a count): check them with Dataset Item → Get.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { MetadataUpdateResult } from '../../../../shared/api/metadata';
import type { AsyncJobInfo } from '../../../../shared/api/types';
import { mapErrorsToItems, type JobError } from '../../../../shared/jobs/errors';
import type { JobStatusView } from '../../../../shared/jobs/status';
import type { PlannedUpdate } from './plan';

export type UpdateOutcome = 'updated' | 'accepted' | 'failed' | 'unconfirmed';

/** The outcomes routed with the successes (`succeeded: true`). */
export function isSuccess(outcome: UpdateOutcome): boolean {
	return outcome === 'updated' || outcome === 'accepted';
}

export interface UpdateResult {
	update: PlannedUpdate;
	outcome: UpdateOutcome;
	error?: string;
	job_id?: string;
	job_status?: string;
}

const CHECK = 'Check it with Dataset Item → Get.';

function errorsByItem(updates: PlannedUpdate[], errors: JobError[]) {
	return mapErrorsToItems(
		errors,
		updates.map((u) => ({ itemIndex: u.itemIndex, referenceId: u.referenceId })),
	);
}

/** Outcomes of one synchronous request, from its answer. */
export function outcomesFromResult(
	updates: PlannedUpdate[],
	result: MetadataUpdateResult,
): UpdateResult[] {
	const { byItem, unmatched } = errorsByItem(updates, result.errors);
	const accounted =
		result.updatedItems !== null &&
		unmatched.length === 0 &&
		result.updatedItems + byItem.size === updates.length;
	const silent = result.updatedItems === null && result.errors.length === 0 && !result.failedItems;
	const open =
		`Nucleus answered for ${updates.length} item(s) with ` +
		(result.updatedItems === null
			? 'no count of updated items'
			: `${result.updatedItems} updated`) +
		(unmatched.length ? ` and error(s) that name no item, e.g. ${unmatched[0]}` : '') +
		`; whether this item was updated is not known. ${CHECK}`;
	return updates.map((update) => {
		const errors = byItem.get(update.itemIndex);
		if (errors) return { update, outcome: 'failed', error: errors.join('\n') };
		if (accounted) return { update, outcome: 'updated' };
		if (silent) return { update, outcome: 'accepted' };
		if (updates.length === 1 && unmatched.length > 0) {
			return { update, outcome: 'failed', error: unmatched.join('\n') };
		}
		return { update, outcome: 'unconfirmed', error: open };
	});
}

/**
 * Outcomes of a finished job. An error naming an item's reference ID fails that item; the others are
 * updated when the job Completed with no error that names nobody, or when every error of a failed job
 * was attributed; a one-item job that did not complete has failed; otherwise they are unconfirmed.
 */
export function outcomesFromJob(
	updates: PlannedUpdate[],
	status: JobStatusView,
	errors: JobError[],
): UpdateResult[] {
	const { byItem, unmatched } = errorsByItem(updates, errors);
	const job = { job_id: status.job_id, job_status: status.status };
	const othersUpdated =
		unmatched.length === 0 && (status.succeeded || (status.errored && byItem.size > 0));
	const jobMessage =
		`Job ${status.job_id} ended ${status.status}` +
		(unmatched.length
			? ` with ${unmatched.length} error(s) that name no item, e.g. ${unmatched[0]}`
			: errors.length === 0
				? ' and reported no errors'
				: '');
	return updates.map((update) => {
		const itemErrors = byItem.get(update.itemIndex);
		if (itemErrors) return { update, outcome: 'failed', ...job, error: itemErrors.join('\n') };
		if (othersUpdated) return { update, outcome: 'updated', ...job };
		if (updates.length === 1 && !status.succeeded) {
			return { update, outcome: 'failed', ...job, error: jobMessage };
		}
		return {
			update,
			outcome: 'unconfirmed',
			...job,
			error: `${jobMessage}; whether this item was updated is not known. ${CHECK}`,
		};
	});
}

/** The output item of one input item, paired to it. */
export function resultItem(r: UpdateResult): INodeExecutionData {
	const json: IDataObject = {
		reference_id: r.update.referenceId,
		dataset_id: r.update.datasetId,
		outcome: r.outcome,
		succeeded: isSuccess(r.outcome),
		metadata: r.update.metadata as IDataObject,
	};
	if (r.error !== undefined) json.error_message = r.error;
	if (r.job_id !== undefined) json.job_id = r.job_id;
	// The job's final status only where it explains the item: a partly failed job's status on an
	// item that was stored would read as that item's failure.
	if (r.job_status !== undefined && json.succeeded !== true) json.job_status = r.job_status;
	return { json, pairedItem: { item: r.update.itemIndex } };
}

/** Without waiting: one output item per job, paired to every input item it carries. */
export function jobItem(job: AsyncJobInfo, updates: PlannedUpdate[]): INodeExecutionData {
	return {
		json: {
			job_id: job.job_id,
			status: job.job_last_known_status,
			job_type: job.job_type,
			job_creation_time: job.job_creation_time,
			dataset_id: updates[0].datasetId,
			items_submitted: updates.length,
			reference_ids: updates.map((u) => u.referenceId),
		},
		pairedItem: updates.map((u) => ({ item: u.itemIndex })),
	};
}
