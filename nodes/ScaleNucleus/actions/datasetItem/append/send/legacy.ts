/**
 * The pre-2026 synchronous forms, only behind Protocol → Legacy Synchronous (SDK v0.18.8,
 * nucleus/dataset_item_uploader.py).
 * Nucleus removed them in July 2026 (SDK v0.19.0, PR 468); what today's server answers to them is
 * not public. An answer with counts gives per-item outcomes at once; an answer with an AsyncJob
 * is followed like any job; an error that may mean "no longer supported" says which setting to change.
 *  - remote: JSON `{items, update}` to `dataset/{id}/append`, batches of fewer than 30 (PR 137);
 *  - local: multipart, one part `item` (the DatasetItem with `update`) and one part `image`.
 */
import FormData from 'form-data';
import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { readAppendAnswer } from '../../../../../shared/api/answers';
import { asNodeError } from '../../../../../shared/errors';
import { AdaptiveConcurrency, chunk, runPool } from '../../../../../shared/pool';
import type { NucleusClient } from '../../../../../shared/transport';
import { appendImagePart } from './imagePart';
import { groupByDataset } from '../../shared/groupByDataset';
import type { LocalItem, PlannedItem, RemoteItem } from '../plan';
import type { AppendProgress } from '../progress';
import { pooledAppendRequest, type SentBatch } from './sentBatch';

/** The SDK asserts batch_size < 30 "to avoid timeouts". */
export const MAX_LEGACY_BATCH = 29;

/** Statuses a server may use to say it no longer takes a request form. */
const GONE_STATUSES = new Set(['400', '404', '405', '410', '422', '501']);

/** Adds to an error that may mean "synchronous appends are gone" the setting that fixes it. */
function explainRemoved(error: unknown): Error {
	if (error instanceof NodeApiError && GONE_STATUSES.has(String(error.httpCode))) {
		error.description =
			`${error.description ? error.description + ' ' : ''}Nucleus removed synchronous appends in July 2026. ` +
			'If this server no longer accepts them, set Options → Protocol to "Current (Asynchronous)".';
	}
	return error as Error;
}

async function legacyItemForm(
	ctx: IExecuteFunctions,
	item: LocalItem,
	update: boolean,
): Promise<FormData> {
	const form = new FormData();
	form.append('item', JSON.stringify({ ...item.payload, update }), {
		contentType: 'application/json',
	});
	await appendImagePart(form, ctx, item);
	return form;
}

export async function sendLegacy(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	plan: { mode: 'remote'; items: RemoteItem[] } | { mode: 'local'; items: LocalItem[] },
	update: boolean,
	options: {
		batchSize: number;
		concurrency: number;
		signal?: AbortSignal;
		progress?: AppendProgress;
	},
): Promise<SentBatch[]> {
	const requests: PlannedItem[][] = [];
	if (plan.mode === 'local') {
		for (const item of plan.items) requests.push([item]);
	} else {
		const size = Math.min(MAX_LEGACY_BATCH, Math.max(1, options.batchSize));
		for (const list of groupByDataset(plan.items).values()) requests.push(...chunk(list, size));
	}
	const submissions: SentBatch[] = [];
	const limit = new AdaptiveConcurrency(options.concurrency);
	await runPool(
		requests.length,
		limit,
		async (r, slot) => {
			const batch = requests[r];
			const first = batch[0];
			const datasetId = first.datasetId;
			try {
				const raw = await pooledAppendRequest(
					client,
					{ limit, slot },
					datasetId,
					{
						itemIndex: first.itemIndex,
						...(first.kind === 'remote'
							? { json: { items: batch.map((p) => p.payload), update } }
							: { form: async () => await legacyItemForm(ctx, first, update) }),
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
				submissions.push({ datasetId, items: batch, ok: false, error: explainRemoved(error) });
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
