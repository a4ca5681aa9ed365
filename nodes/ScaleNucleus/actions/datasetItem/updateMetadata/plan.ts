/**
 * Step 1 of Update Metadata: read and check every input item before anything is sent, with the
 * readers and checks Append uses too (../shared, ../validate) (dataset ID, reference ID, metadata: a JSON object of finite values), so
 * both operations accept and refuse the same values. One item per reference ID and dataset in a run;
 * an empty metadata object is refused (it would merge nothing).
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { groupByDataset } from '../shared/groupByDataset';
import { ItemParameters, readMetadata, readParameter } from '../shared/itemParameters';
import { findDuplicateReferenceIds, validateDatasetId, validateReferenceId } from '../validate/ids';
import { validateMetadata } from '../validate/metadataModes';
import { isProblem, itemProblem, type ItemProblem } from '../validate/problem';

/** One checked input item: the keys to merge into the item with this reference ID. */
export interface PlannedUpdate {
	itemIndex: number;
	datasetId: string;
	referenceId: string;
	metadata: Record<string, unknown>;
}

function planOne(
	params: ItemParameters,
	items: INodeExecutionData[],
	itemIndex: number,
): PlannedUpdate | ItemProblem {
	const rawDataset = readParameter(params, 'datasetId', 'Dataset', itemIndex, '', {
		extractValue: true,
	});
	if (isProblem(rawDataset)) return rawDataset;
	const datasetId = validateDatasetId(rawDataset, itemIndex);
	if (isProblem(datasetId)) return datasetId;
	const rawRef = readParameter(params, 'referenceId', 'Reference ID', itemIndex, '');
	if (isProblem(rawRef)) return rawRef;
	const referenceId = validateReferenceId(rawRef, itemIndex);
	if (isProblem(referenceId)) return referenceId;
	const input = readMetadata(params, itemIndex);
	if (isProblem(input)) return input;
	const metadata = validateMetadata(input, items[itemIndex].json, itemIndex);
	if (isProblem(metadata)) return metadata;
	if (Object.keys(metadata).length === 0) {
		return itemProblem(
			itemIndex,
			'Metadata',
			`Item ${itemIndex}: Metadata is empty, so there is nothing to merge into item '${referenceId.slice(0, 80)}'`,
			'Give at least one key to set. With All Other Fields, check Fields to Exclude: every field of the item was excluded.',
		);
	}
	return { itemIndex, datasetId, referenceId, metadata };
}

/** Every input item as a planned update or a problem (in input order); nothing is sent. */
export function planUpdates(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
): { updates: PlannedUpdate[]; problems: ItemProblem[] } {
	const params = new ItemParameters(ctx, items);
	const problems: ItemProblem[] = [];
	let updates: PlannedUpdate[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const planned = planOne(params, items, itemIndex);
		if (isProblem(planned)) problems.push(planned);
		else updates.push(planned);
	}
	// The SDK takes a mapping reference ID → metadata, so one run updates each item once.
	const duplicated = new Set<number>();
	for (const list of groupByDataset(updates).values()) {
		for (const dup of findDuplicateReferenceIds(list)) {
			duplicated.add(dup.itemIndex);
			problems.push(
				itemProblem(
					dup.itemIndex,
					dup.field,
					dup.message,
					'A run updates each item once. Merge the metadata of both input items into one, or remove the duplicate.',
				),
			);
		}
	}
	if (duplicated.size) updates = updates.filter((u) => !duplicated.has(u.itemIndex));
	problems.sort((a, b) => a.itemIndex - b.itemIndex);
	return { updates, problems };
}
