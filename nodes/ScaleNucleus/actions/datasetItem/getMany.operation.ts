import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { datasetItemPages } from '../../../shared/api/itemPages';
import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { datasetIdOf, limitOf, returnAllOrLimit } from '../common';

const PAGE_SIZE = 1000;

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['getMany'] } },
	[datasetLocator, ...returnAllOrLimit],
);

/**
 * Pages through `POST dataset/{id}/itemsPage` until the limit or the last page. Return All is
 * bounded by the dataset's item count (api/itemPages.ts): a server that pages forever gets an
 * error, not an endless run.
 */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject[]> {
	const datasetId = datasetIdOf(this, itemIndex);
	const limit = limitOf(this, itemIndex);
	const out: IDataObject[] = [];
	for await (const items of datasetItemPages(client, datasetId, {
		pageSize: PAGE_SIZE,
		limit: Number.isFinite(limit) ? limit : undefined,
		itemIndex,
		advice: 'Nothing is reported. Set a Limit, or try again later.',
	})) {
		out.push(...items);
	}
	return out;
}
