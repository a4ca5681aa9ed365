/** Items grouped by the dataset they go to: requests and listings are per dataset. */

/** The items of each dataset, in input order. */
export function groupByDataset<T extends { datasetId: string }>(items: T[]): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const p of items) {
		const list = groups.get(p.datasetId);
		if (list) list.push(p);
		else groups.set(p.datasetId, [p]);
	}
	return groups;
}
