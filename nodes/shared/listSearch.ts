import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { NucleusClient } from './transport';
import type { DatasetDetails } from './api/types';

/** Lists the account's datasets for the resource locator, filtered by name or id. */
export async function searchDatasets(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const client = await NucleusClient.fromContext(this);
	try {
		const datasets = await client.request<DatasetDetails[]>('GET', 'dataset/details');
		const needle = (filter ?? '').trim().toLowerCase();
		const results = (Array.isArray(datasets) ? datasets : [])
			.filter(
				(d) =>
					!needle || d.name.toLowerCase().includes(needle) || d.id.toLowerCase().includes(needle),
			)
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((d) => ({ name: `${d.name} (${d.id})`, value: d.id }));
		return { results };
	} finally {
		await client.close();
	}
}
