import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { NucleusClient } from '../../../shared/transport';
import type { DatasetDetails } from '../../../shared/api/types';
import { returnAllOrLimit } from '../common';

export const description = updateDisplayOptions(
	{ show: { resource: ['dataset'], operation: ['getMany'] } },
	returnAllOrLimit,
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject[]> {
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const datasets = await client.request<DatasetDetails[]>('GET', 'dataset/details', { itemIndex });
	const list = (Array.isArray(datasets) ? datasets : []) as unknown as IDataObject[];
	return returnAll ? list : list.slice(0, this.getNodeParameter('limit', itemIndex, 50) as number);
}
