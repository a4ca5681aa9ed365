import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getDatasetInfo } from '../../../shared/api/datasets';
import { datasetLocator } from '../../../shared/descriptions';
import { datasetIdOf } from '../common';
import type { NucleusClient } from '../../../shared/transport';

export const description = updateDisplayOptions(
	{ show: { resource: ['dataset'], operation: ['get'] } },
	[datasetLocator],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const datasetId = datasetIdOf(this, itemIndex);
	return await getDatasetInfo(client, datasetId, itemIndex);
}
