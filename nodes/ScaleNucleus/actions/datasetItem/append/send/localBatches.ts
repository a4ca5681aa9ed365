/**
 * The current local form (since SDK v0.19.0: its release notes and scaleapi/nucleus-python-client PR 468): `POST dataset/{id}/append?async=1`,
 * `multipart/form-data` with one part `items` (a JSON array of the batch's DatasetItems, each with
 * `update`) and one part `image` per file in the same order (filename = that item's `image_url`),
 * at most 10 images per request. Each request answers with its own AsyncJob.
 *
 * Batches go through one adaptive pool over the keep-alive connection pool. Files are streamed,
 * never buffered; a retried request opens them again and rebuilds the body.
 */
import FormData from 'form-data';
import type { IExecuteFunctions } from 'n8n-workflow';

import { readAppendAnswer } from '../../../../../shared/api/answers';
import { asNodeError } from '../../../../../shared/errors';
import { AdaptiveConcurrency, chunk, runPool } from '../../../../../shared/pool';
import type { NucleusClient } from '../../../../../shared/transport';
import { appendImagePart } from './imagePart';
import { groupByDataset } from '../../shared/groupByDataset';
import type { LocalItem } from '../plan';
import type { AppendProgress } from '../progress';
import { pooledAppendRequest, type SentBatch } from './sentBatch';

/** Most images in one request: the SDK refuses more (`local_files_per_upload_request` ≤ 10). */
export const MAX_IMAGES_PER_REQUEST = 10;

/** The multipart body of one batch; called once per attempt, so a retry streams the files anew. */
async function buildBatchForm(
	ctx: IExecuteFunctions,
	batch: LocalItem[],
	update: boolean,
): Promise<FormData> {
	const form = new FormData();
	form.append('items', JSON.stringify(batch.map((item) => ({ ...item.payload, update }))), {
		contentType: 'application/json',
	});
	for (const item of batch) await appendImagePart(form, ctx, item);
	return form;
}

export async function sendLocalBatches(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	items: LocalItem[],
	update: boolean,
	options: {
		imagesPerRequest: number;
		concurrency: number;
		signal?: AbortSignal;
		progress?: AppendProgress;
	},
): Promise<Array<SentBatch<LocalItem>>> {
	const size = Math.min(MAX_IMAGES_PER_REQUEST, Math.max(1, options.imagesPerRequest));
	const batches: LocalItem[][] = [];
	for (const list of groupByDataset(items).values()) batches.push(...chunk(list, size));

	const submissions: Array<SentBatch<LocalItem>> = [];
	const limit = new AdaptiveConcurrency(options.concurrency);
	await runPool(
		batches.length,
		limit,
		async (b, slot) => {
			const batch = batches[b];
			const datasetId = batch[0].datasetId;
			try {
				const raw = await pooledAppendRequest(
					client,
					{ limit, slot },
					datasetId,
					{
						query: { async: 1 },
						form: async () => await buildBatchForm(ctx, batch, update),
						itemIndex: batch[0].itemIndex,
					},
					options.progress,
				);
				submissions.push({
					datasetId,
					items: batch,
					ok: true,
					answer: readAppendAnswer(raw, datasetId),
				});
			} catch (error) {
				if (options.signal?.aborted) throw asNodeError(ctx.getNode(), error);
				submissions.push({ datasetId, items: batch, ok: false, error: error as Error });
			} finally {
				if (options.progress) {
					options.progress.sent += batch.length;
					options.progress.update();
				}
			}
		},
		options.signal,
	);
	return submissions;
}
