import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { deleteItem } from '../../../shared/api/datasets';
import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { itemLocation, referenceIdParameter } from '../common';

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['delete'] } },
	[datasetLocator, referenceIdParameter],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const { datasetId, referenceId } = itemLocation(this, itemIndex);
	// Reported deleted only when the answer reads as a deletion (shared/api/datasets.ts).
	await deleteItem(client, datasetId, referenceId, itemIndex);
	return { deleted: true, dataset_id: datasetId, reference_id: referenceId };
}
