/**
 * The remote form (SDK v0.18.8 `Dataset.append` and `serialize_and_write_to_presigned_url` in nucleus/utils.py; unchanged by SDK v0.19.0): per dataset,
 * `GET dataset/{id}/signedUrl/{requestId}`, then `PUT` the items as NDJSON to the presigned URL (no
 * Authorization header: S3 rejects two auth mechanisms; always a Content-Length: S3 refuses chunked
 * uploads), then `POST dataset/{id}/append?async=1` with `{requestId, update}`, which answers with
 * the AsyncJob. All items of a dataset go in one file and one job.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';

import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readAppendAnswer } from '../../../../../shared/api/answers';
import { asNodeError } from '../../../../../shared/errors';
import type { NucleusClient } from '../../../../../shared/transport';
import { encodePathSegment } from '../../../../../shared/transport';
import { toNdjsonLine } from '../datasetItem';
import { groupByDataset } from '../../shared/groupByDataset';
import type { RemoteItem } from '../plan';
import type { SentBatch } from './sentBatch';

/** Largest NDJSON file the API accepts for one job (the SDK's MAX_PAYLOAD_SIZE, nucleus/constants.py). */
const MAX_NDJSON_BYTES = 0x1fffffe8;

const LINES_PER_CHUNK = 256;

/** Streams the NDJSON lines of `items` in chunks, without building one giant string. */
function ndjsonStream(items: RemoteItem[]): Readable {
	function* lines() {
		for (let i = 0; i < items.length; i += LINES_PER_CHUNK) {
			let text = '';
			const end = Math.min(items.length, i + LINES_PER_CHUNK);
			for (let j = i; j < end; j++) text += toNdjsonLine(items[j].payload);
			yield Buffer.from(text, 'utf8');
		}
	}
	return Readable.from(lines(), { objectMode: false });
}

/**
 * Byte length of the NDJSON, for the presigned PUT's Content-Length. The lines are serialised here
 * and again while streaming: twice the JSON work, in exchange for never holding the whole file
 * (hundreds of MB for large jobs) in memory.
 */
function ndjsonLength(items: RemoteItem[]): number {
	let total = 0;
	for (const item of items) total += Buffer.byteLength(toNdjsonLine(item.payload), 'utf8');
	return total;
}

async function submitDataset(
	node: INode,
	client: NucleusClient,
	datasetId: string,
	items: RemoteItem[],
	update: boolean,
): Promise<SentBatch<RemoteItem>> {
	const ndjsonBytes = ndjsonLength(items);
	if (ndjsonBytes > MAX_NDJSON_BYTES) {
		throw new NodeOperationError(
			node,
			`The items for dataset ${datasetId} make ${ndjsonBytes} bytes of NDJSON, more than the ${MAX_NDJSON_BYTES} bytes Nucleus accepts in one job`,
			{
				description:
					'Split the input into smaller runs, for example with the Loop Over Items node.',
			},
		);
	}
	const requestId = randomUUID().replace(/-/g, '');
	const dataset = encodePathSegment(datasetId);
	const signed = await client.request<{ signed_url?: unknown }>(
		'GET',
		`dataset/${dataset}/signedUrl/${requestId}`,
		{ itemIndex: items[0].itemIndex },
	);
	if (!signed || typeof signed.signed_url !== 'string') {
		throw new NodeOperationError(node, 'Nucleus did not return an upload URL for the items', {
			description: `Dataset ${datasetId}; the response had no signed_url field.`,
		});
	}
	await client.putPresigned(signed.signed_url, () => ndjsonStream(items), {
		contentLength: ndjsonBytes,
		itemIndex: items[0].itemIndex,
	});
	const raw = await client.request('POST', `dataset/${dataset}/append`, {
		kind: 'uploadAppendJob',
		uploadUrl: signed.signed_url,
		query: { async: 1 },
		json: { requestId, update },
		itemIndex: items[0].itemIndex,
	});
	return { datasetId, items, ok: true, answer: readAppendAnswer(raw, datasetId) };
}

/** One job per dataset; a dataset whose upload fails does not stop the others. */
export async function sendRemoteAsync(
	node: INode,
	client: NucleusClient,
	items: RemoteItem[],
	update: boolean,
	signal?: AbortSignal,
): Promise<Array<SentBatch<RemoteItem>>> {
	const submissions: Array<SentBatch<RemoteItem>> = [];
	for (const [datasetId, group] of groupByDataset(items)) {
		try {
			submissions.push(await submitDataset(node, client, datasetId, group, update));
		} catch (error) {
			if (signal?.aborted) throw asNodeError(node, error);
			submissions.push({ datasetId, items: group, ok: false, error: error as Error });
		}
	}
	return submissions;
}
