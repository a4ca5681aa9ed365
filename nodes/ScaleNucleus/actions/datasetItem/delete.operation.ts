import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { encodePathSegment } from '../../../shared/transport';
import { referenceIdParameter } from '../common';

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['delete'] } },
	[datasetLocator, referenceIdParameter],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const datasetId = (this.getNodeParameter('datasetId', itemIndex, '', { extractValue: true }) as string).trim();
	const referenceId = this.getNodeParameter('referenceId', itemIndex) as string;
	await client.request('DELETE', `dataset/${encodePathSegment(datasetId)}/refloc/${encodePathSegment(referenceId)}`, {
		itemIndex,
		json: {},
	});
	return { deleted: true, dataset_id: datasetId, reference_id: referenceId };
}
