/**
 * List Folders Only: the "folders" directly under the prefix (ListObjectsV2 with delimiter "/",
 * CommonPrefixes), one item each, to fan a large bucket out over several executions, each syncing
 * one folder. Objects directly under the prefix belong to no folder and are not output.
 */
import type { INode, INodeExecutionData } from 'n8n-workflow';

import { fetchListPage, listPages, type BucketCredentials } from '../../../../shared/bucket';

export async function listFolders(
	node: INode,
	creds: BucketCredentials,
	where: { bucket: string; prefix: string },
	maxPages: number,
	itemIndex: number,
	signal?: AbortSignal,
): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const fetchPage = async (params: Parameters<typeof fetchListPage>[3], s?: AbortSignal) =>
		await fetchListPage(node, creds, where.bucket, params, { signal: s });
	for await (const page of listPages(fetchPage, {
		prefix: where.prefix,
		delimiter: '/',
		maxPages,
		signal,
	})) {
		for (const folder of page.folders) {
			out.push({ json: { bucket: where.bucket, prefix: folder }, pairedItem: { item: itemIndex } });
		}
	}
	return out;
}
