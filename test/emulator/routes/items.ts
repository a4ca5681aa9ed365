/**
 * Item routes beyond refloc (rules.ts METADATA UPDATES and ILOC): `POST dataset/{id}/metadata` in the
 * SDK's form (update_item_metadata: `?async=0|1`, body `{metadata: [{reference_id, metadata}], level}`,
 * `nucleus/metadata_manager.py`) with merge semantics, and `GET dataset/{id}/iloc/{i}` (`Dataset.iloc`), which the SDK's own tests use
 * to read an item back after an update.
 */
import { findDataset, readBody, type Route } from '../context';
import { HttpError, send, truthy } from '../http';
import type { MetadataEntry } from '../jobs';
import {
	MAX_SYNC_METADATA_ITEMS,
	METADATA_JOB_TYPE,
	isPlainObject,
	metadataErrorText,
} from '../rules';
import { apiItem } from '../store';

/** Checks the whole body before anything is applied (the request-level 400s of METADATA UPDATES). */
function readEntries(body: Record<string, unknown>): MetadataEntry[] {
	const level = body.level ?? 'item';
	if (level !== 'item') {
		throw new HttpError(
			400,
			level === 'scene'
				? 'level "scene" updates scene metadata; this dataset has no scenes (the emulator models item metadata only)'
				: `"level" must be "item" or "scene", got ${JSON.stringify(level)}`,
		);
	}
	const list = body.metadata;
	if (!Array.isArray(list) || list.length === 0) {
		throw new HttpError(400, '"metadata" must be a non-empty list of {reference_id, metadata}');
	}
	const seen = new Set<string>();
	return list.map((entry, i) => {
		if (!isPlainObject(entry)) throw new HttpError(400, `metadata[${i}] must be an object`);
		const ref = entry.reference_id;
		if (typeof ref !== 'string' || ref === '') {
			throw new HttpError(400, `metadata[${i}].reference_id must be a non-empty string`);
		}
		if (!isPlainObject(entry.metadata)) {
			throw new HttpError(400, `metadata[${i}].metadata must be an object`);
		}
		if (seen.has(ref)) {
			throw new HttpError(400, `reference_id ${JSON.stringify(ref)} appears twice in "metadata"`);
		}
		seen.add(ref);
		return { reference_id: ref, metadata: entry.metadata };
	});
}

export const itemRoutes: Route[] = [
	{
		method: 'POST',
		path: 'dataset/:id/metadata',
		async handle(ctx, { req, res, params, query }) {
			const ds = findDataset(ctx, params.id);
			const entries = readEntries(await readBody(ctx, req, { required: true }));
			if (truthy(query.get('async'))) {
				const rec = ctx.jobs.create({
					datasetId: ds.id,
					update: true,
					source: { metadata: entries },
					jobType: METADATA_JOB_TYPE,
					hold: ctx.config.holdNewJobs,
				});
				ctx.stats.jobsCreated++;
				send(req, res, 200, ctx.jobs.infoBody(rec));
				return;
			}
			if (entries.length > MAX_SYNC_METADATA_ITEMS) {
				throw new HttpError(
					400,
					`Number of items to update is too large to perform it synchronously (${entries.length} > ${MAX_SYNC_METADATA_ITEMS}); use async=1`,
				);
			}
			const errors: string[] = [];
			for (const e of entries) {
				const reason = ctx.store.mergeMetadata(ds, e.reference_id, e.metadata);
				if (reason) errors.push(metadataErrorText(e.reference_id, reason));
			}
			send(req, res, 200, {
				dataset_id: ds.id,
				updated_items: entries.length - errors.length,
				failed_items: errors.length,
				errors,
			});
		},
	},
	{
		method: 'GET',
		path: 'dataset/:id/iloc/:i',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			if (!/^\d{1,15}$/.test(params.i)) {
				throw new HttpError(400, `Index "${params.i}" is not a whole number`);
			}
			const index = Number(params.i);
			const item = ctx.store.ordered(ds)[index];
			if (!item) {
				throw new HttpError(
					404,
					`No item at index ${index} in dataset ${ds.id} (it has ${ds.items.size})`,
				);
			}
			send(req, res, 200, { item: apiItem(item), annotations: {} });
		},
	},
];
