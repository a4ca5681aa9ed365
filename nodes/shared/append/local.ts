import type { IExecuteFunctions } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { buildLocalItemForm, type LocalImage } from '../multipart';
import { asNodeError } from '../errors';
import { AdaptiveConcurrency, runPool } from '../pool';
import type { NucleusClient } from '../transport';
import type { PlannedItem } from './collect';
import type { ItemFailure, ItemResult } from './results';
import { postAppend } from './results';

/**
 * Opens the image of a planned local item. Binary data with an id (n8n's filesystem, database and
 * S3 modes) is streamed through n8n's binary data service; `.data` is only used when the binary
 * has no id (then it holds the base64 content in memory). Paths go through n8n's file helpers,
 * so file-access restrictions are enforced again at upload time.
 */
function imageOf(ctx: IExecuteFunctions, planned: PlannedItem): LocalImage {
	const source = planned.local!;
	const open =
		source.kind === 'path'
			? async () => await ctx.helpers.createReadStream(source.path as never)
			: source.binary.id
				? async () => await ctx.helpers.getBinaryStream(source.binary.id!)
				: () => Buffer.from(source.binary.data, BINARY_ENCODING);
	return {
		open,
		fileName: planned.fileName!,
		contentType: planned.contentType!,
		size: source.size,
	};
}

/**
 * One multipart request per item over one keep-alive pool. `concurrency` is the most in flight; the
 * pool starts below it and adapts: one more per success, half as many when Nucleus throttles (429).
 */
export async function appendLocalItems(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	items: PlannedItem[],
	update: boolean,
	options: { concurrency: number; signal?: AbortSignal },
): Promise<{ results: ItemResult[]; failures: ItemFailure[] }> {
	const results: ItemResult[] = [];
	const failures: ItemFailure[] = [];
	const limit = new AdaptiveConcurrency(options.concurrency);
	await runPool(
		items.length,
		limit,
		async (i, slot) => {
			const planned = items[i];
			const image = imageOf(ctx, planned);
			try {
				results.push(
					...(await postAppend(client, { limit, slot }, [planned], {
						form: async () => await buildLocalItemForm(planned.payload, update, image),
					})),
				);
			} catch (error) {
				if (options.signal?.aborted) throw asNodeError(ctx.getNode(), error);
				failures.push({ itemIndex: planned.itemIndex, error: error as Error });
			}
		},
		options.signal,
	);
	return { results, failures };
}
