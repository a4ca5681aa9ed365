import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { listDatasets } from '../../../shared/api/datasets';
import type { NucleusClient } from '../../../shared/transport';
import { limitOf, returnAllOrLimit } from '../common';

export const description = updateDisplayOptions(
	{ show: { resource: ['dataset'], operation: ['getMany'] } },
	returnAllOrLimit,
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject[]> {
	const limit = limitOf(this, itemIndex);
	const datasets = (await listDatasets(client, itemIndex)) as unknown as IDataObject[];
	return datasets.slice(0, limit);
}
