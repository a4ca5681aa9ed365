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

/**
 * The dataset's info (`GET dataset/{id}/info`) with `item_count`, its number of items; both answers
 * are checked (shared/api/datasets.ts), so an unexpected body is an error, never an empty result.
 */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	return await getDatasetInfo(client, datasetIdOf(this, itemIndex), itemIndex);
}
