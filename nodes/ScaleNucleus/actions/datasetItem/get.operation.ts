import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getItem } from '../../../shared/api/datasets';
import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { itemLocation, referenceIdParameter } from '../common';

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['get'] } },
	[datasetLocator, referenceIdParameter],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const { datasetId, referenceId } = itemLocation(this, itemIndex);
	return await getItem(client, datasetId, referenceId, itemIndex);
}
