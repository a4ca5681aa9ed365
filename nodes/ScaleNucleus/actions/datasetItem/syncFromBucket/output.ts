/**
 * What a sync outputs (n8n items, all paired to the input item that asked for the sync): one item
 * per job, one error item per failed object (capped, the last one counting the rest), and one
 * summary item with the run's counts.
 */
import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { AsyncJobInfo } from '../../../../shared/api/types';
import { errorItem } from '../../errorItem';

/** A job of the run, without its chunk's lines (those are dropped once uploaded). */
export interface SentJob {
	job: AsyncJobInfo;
	objects: number;
	newObjects: number;
	changedObjects: number;
	firstKey: string;
	lastKey: string;
}

/** The run's counts, for the summary item and the progress lines. */
export interface SyncTally {
	listed: number;
	filteredOut: number;
	alreadyInDataset: number;
	newObjects: number;
	changedObjects: number;
	/** Objects whose reference ID another object of the listing already had (not sent). */
	duplicateReferenceIds: number;
	/** Objects left out because they failed in Max Failed Runs per Object runs already. */
	givenUp: number;
	/** Items of the synced prefix whose object the listing no longer has (never deleted). */
	goneFromBucket: number;
	failedObjects: number;
	/** Seconds spent reading the dataset, listing (and sending), and waiting for the jobs. */
	datasetReadSeconds: number;
	listingSeconds: number;
	waitSeconds: number;
}

export function newTally(): SyncTally {
	return {
		listed: 0,
		filteredOut: 0,
		alreadyInDataset: 0,
		newObjects: 0,
		changedObjects: 0,
		duplicateReferenceIds: 0,
		givenUp: 0,
		goneFromBucket: 0,
		failedObjects: 0,
		datasetReadSeconds: 0,
		listingSeconds: 0,
		waitSeconds: 0,
	};
}

export function jobItem(
	sent: SentJob,
	datasetId: string,
	update: boolean,
	itemIndex: number,
	finished?: { status: string; failedObjects: number },
): INodeExecutionData {
	const json: IDataObject = {
		type: 'job',
		job_id: sent.job.job_id,
		status: finished?.status ?? sent.job.job_last_known_status,
		dataset_id: datasetId,
		objects: sent.objects,
		new_objects: sent.newObjects,
		changed_objects: sent.changedObjects,
		first_key: sent.firstKey,
		last_key: sent.lastKey,
		update,
	};
	if (finished) json.failed_objects = finished.failedObjects;
	return { json, pairedItem: { item: itemIndex } };
}

export function summaryItem(
	tally: SyncTally,
	where: { datasetId: string; bucket: string; prefix: string },
	jobs: number,
	itemIndex: number,
): INodeExecutionData {
	return {
		json: {
			type: 'summary',
			dataset_id: where.datasetId,
			bucket: where.bucket,
			prefix: where.prefix,
			jobs,
			objects_listed: tally.listed,
			filtered_out: tally.filteredOut,
			already_in_dataset: tally.alreadyInDataset,
			new_objects: tally.newObjects,
			changed_objects: tally.changedObjects,
			duplicate_reference_ids: tally.duplicateReferenceIds,
			given_up: tally.givenUp,
			gone_from_bucket: tally.goneFromBucket,
			failed_objects: tally.failedObjects,
			changed: jobs > 0,
			seconds: {
				reading_dataset: tally.datasetReadSeconds,
				listing_and_sending: tally.listingSeconds,
				waiting: tally.waitSeconds,
			},
		},
		pairedItem: { item: itemIndex },
	};
}

export function failedObjectItem(
	node: INode,
	failure: { key: string; referenceId: string; jobId: string; text: string },
	itemIndex: number,
): INodeExecutionData {
	const error = new NodeOperationError(
		node,
		`Object ${failure.key} failed in job ${failure.jobId}: ${failure.text}`,
		{ itemIndex },
	);
	return errorItem(node, error, itemIndex, {
		reference_id: failure.referenceId,
		job_id: failure.jobId,
		key: failure.key,
	});
}

/** The last error item when more objects failed than Max Error Items lets through. */
export function moreFailuresItem(node: INode, more: number, itemIndex: number): INodeExecutionData {
	const error = new NodeOperationError(
		node,
		`${more} more objects failed (not shown one by one: Options → Max Error Items)`,
		{ itemIndex },
	);
	return errorItem(node, error, itemIndex, { more_failed_objects: more });
}
