import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getItemsPage } from '../../../shared/api/datasets';
import { datasetLocator } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { datasetIdOf, limitOf, returnAllOrLimit } from '../common';

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
	const limit = limitOf(this, itemIndex);
	const out: IDataObject[] = [];
	// A server that hands out a token it gave before would page forever.
	const seenTokens = new Set<string>();
	let pageToken: string | null = null;
	do {
		const pageSize = Math.min(PAGE_SIZE, limit - out.length);
		const page = await getItemsPage(client, datasetId, { pageSize, pageToken }, itemIndex);
		out.push(...page.items.slice(0, limit - out.length));
		pageToken = page.nextPageToken;
		if (pageToken !== null) {
			if (seenTokens.has(pageToken)) {
				throw new NodeOperationError(
					this.getNode(),
					`Nucleus answered the item pages of dataset ${datasetId} with a page token it had already given (after ${out.length} items)`,
					{
						itemIndex,
						description:
							'Paging would never end, so it was stopped and nothing is reported. Set a Limit, or try again later.',
					},
				);
			}
			seenTokens.add(pageToken);
		}
	} while (pageToken !== null && out.length < limit);
	return out;
}
