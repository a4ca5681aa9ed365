/**
 * Step 7 of Append, output: the node's output items, or the node's error when an item failed for
 * good without On Error → Continue. With results per item (waiting, or counts), one item
 * per input item in input order, paired to it. Without waiting, one item per job request, paired to every
 * input item the request carried (two requests answered with one job ID give two items), so each
 * item can be traced to its job.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import type { AsyncJobInfo } from '../../../../shared/api/types';
import { asNodeError } from '../../../../shared/errors';
import { redactText } from '../../../../shared/transport/redact';
import { errorItem } from '../../errorItem';
import type { AppendOutcomes, ItemOutcome } from './outcomes';
import type { PlannedItem } from './plan';
import type { AppendProgress } from './progress';

/**
 * The URL shows without `user:password@` (sent to Nucleus as given), and so do the job errors that
 * quote it.
 */
export function resultItem(r: ItemOutcome): INodeExecutionData {
	const json: IDataObject = {
		reference_id: r.reference_id,
		dataset_id: r.dataset_id,
		image_url: redactText(r.image_url),
		outcome: r.outcome,
		succeeded: r.succeeded,
	};
	if (r.error !== undefined) json.error_message = redactText(r.error);
	if (r.job_id !== undefined) json.job_id = r.job_id;
	// The job's final status only where it explains the item: a partly failed job's status on an
	// item that was stored would read as that item's failure.
	if (r.job_status !== undefined && json.succeeded !== true) json.job_status = r.job_status;
	return { json, pairedItem: { item: r.itemIndex } };
}

export function jobItem(
	job: AsyncJobInfo,
	datasetId: string,
	items: PlannedItem[],
	update: boolean,
): INodeExecutionData {
	return {
		json: {
			job_id: job.job_id,
			status: job.job_last_known_status,
			job_type: job.job_type,
			job_creation_time: job.job_creation_time,
			dataset_id: datasetId,
			items_submitted: items.length,
			reference_ids: items.map((p) => p.payload.reference_id),
			update,
		},
		pairedItem: items.map((p) => ({ item: p.itemIndex })),
	};
}

/**
 * The output: one item per job not waited for, then every input item's slot in input order (error
 * items of invalid items are already in `slots`). Without On Error → Continue, the first item that
 * failed for good stops the run, naming the jobs this run created.
 */
export function appendOutput(
	node: INode,
	slots: Array<INodeExecutionData | undefined>,
	outcomes: AppendOutcomes,
	run: { continueOnFail: boolean; update: boolean; progress: AppendProgress },
): INodeExecutionData[] {
	const { results, failures, jobIds } = outcomes;
	const { progress } = run;
	const summaries: INodeExecutionData[] = [];
	for (const sub of outcomes.unwaited) {
		summaries.push(jobItem(sub.answer.job, sub.datasetId, sub.items, run.update));
	}
	if (failures.length && !run.continueOnFail) {
		const first = failures.sort((a, b) => a.item.itemIndex - b.item.itemIndex)[0];
		const error = asNodeError(node, first.error, first.item.itemIndex);
		if (jobIds.length) {
			const ids = jobIds;
			error.description = `${error.description ? error.description + ' ' : ''}Jobs created in this run (their items may be stored): ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ` and ${ids.length - 20} more` : ''}.`;
		}
		throw error;
	}
	for (const f of failures) {
		slots[f.item.itemIndex] = errorItem(node, f.error, f.item.itemIndex, {
			reference_id: f.item.payload.reference_id,
		});
	}
	for (const r of results) slots[r.itemIndex] = resultItem(r);
	const skipped = progress.skipped;
	progress.stored = results.filter((r) => r.succeeded).length - skipped;
	progress.failed = failures.length + results.length - skipped - progress.stored;
	progress.finish();

	const out: INodeExecutionData[] = [...summaries];
	for (const slot of slots) if (slot) out.push(slot);
	return out;
}
