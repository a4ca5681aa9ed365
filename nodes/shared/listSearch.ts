import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listDatasets } from './api/datasets';
import { NucleusClient } from './transport';

/** Lists the account's datasets for the resource locator, filtered by name or id. */
export async function searchDatasets(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const client = await NucleusClient.fromContext(this);
	try {
		// The answer is checked (a list of {id, name}); an unexpected one is shown as the list's error.
		const datasets = await listDatasets(client);
		const needle = (filter ?? '').trim().toLowerCase();
		const results = datasets
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
