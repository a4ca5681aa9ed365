import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { encodePathSegment } from '../../../shared/transport';
import { datasetIdOf, returnAllOrLimit } from '../common';

const PAGE_SIZE = 1000;

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['getMany'] } },
	[datasetLocator, ...returnAllOrLimit],
);

/** Pages through `POST dataset/{id}/itemsPage` until the limit or the last page. */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject[]> {
	const datasetId = datasetIdOf(this, itemIndex);
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	const limit = returnAll ? Infinity : (this.getNodeParameter('limit', itemIndex, 50) as number);
	const out: IDataObject[] = [];
	let pageToken: string | null = null;
	do {
		const pageSize = Math.min(PAGE_SIZE, limit - out.length);
		const page: { items?: IDataObject[]; nextPageToken?: string | null } = await client.request(
			'POST',
			`dataset/${encodePathSegment(datasetId)}/itemsPage`,
			{ itemIndex, kind: 'read', json: { pageSize, pageToken } },
		);
		out.push(...(page?.items ?? []).slice(0, limit - out.length));
		pageToken = page?.nextPageToken || null;
	} while (pageToken && out.length < limit);
	return out;
}
