import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

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
	const { datasetId, referenceId, route } = itemLocation(this, itemIndex);
	await client.request('DELETE', route, {
		itemIndex,
		kind: 'deleteItem',
		json: {},
	});
	return { deleted: true, dataset_id: datasetId, reference_id: referenceId };
}
