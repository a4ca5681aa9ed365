/**
 * Step 6 of Append: the node's output items. With results per item (waiting, or counts), one item
 * per input item in input order, paired to it. Without waiting, one item per job, paired to every
 * input item the job carries, so each item can be traced to its job.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { AsyncJobInfo } from '../../../../shared/api/types';
import { redactText } from '../../../../shared/transport/redact';
import type { ItemResult } from './outcomes';
import type { PlannedItem } from './plan';

/**
 * The URL shows without `user:password@` (sent to Nucleus as given), and so do the job errors that
 * quote it.
 */
export function resultItem(r: ItemResult): INodeExecutionData {
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
