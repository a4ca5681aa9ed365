import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

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
	const { route } = itemLocation(this, itemIndex);
	const response = await client.request<{ item?: IDataObject; annotations?: IDataObject }>(
		'GET',
		route,
		{ itemIndex },
	);
	return { ...(response?.item ?? {}), annotations: response?.annotations ?? {} };
}
