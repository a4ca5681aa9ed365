import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { deleteDataset, getDatasetInfo } from '../../../shared/api/datasets';
import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { datasetIdOf } from '../common';

const properties: INodeProperties[] = [
	{
		displayName:
			'This deletes the dataset with all of its items, annotations and predictions, for good. The output says how many items were deleted.',
		name: 'deleteNotice',
		type: 'notice',
		default: '',
	},
	datasetLocator,
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataset'], operation: ['delete'] } },
	properties,
);

/**
 * Reads the dataset's name and item count first (so the output says what was deleted), then
 * `DELETE dataset/{id}`. Nucleus finishes the deletion after it answers.
 */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const datasetId = datasetIdOf(this, itemIndex);
	const info = await getDatasetInfo(client, datasetId, itemIndex);
	const message = await deleteDataset(client, datasetId, itemIndex);
	return {
		deleted: true,
		dataset_id: datasetId,
		name: typeof info.name === 'string' ? info.name : null,
		items_deleted: info.item_count,
		message,
	};
}
