/**
 * `POST dataset/{id}/append` in every wire form, one function per form, and `GET
 * dataset/{id}/signedUrl/{requestId}` (step 1 of the presigned flow). The forms, the rules they share and
 * the `syncAppend` modes are described at the top of ../rules.ts; in short:
 *
 *   ?async=1 + JSON {requestId, update}                 appendPresigned       -> AsyncJob   (SDK presigned)
 *   ?async=1 + multipart `items` + `image` x n (<= 10)  appendMultipartBatch  -> AsyncJob   (SDK >= v0.19.0)
 *   no async + JSON {items, update}                     appendLegacyJson      -> by syncAppend (SDK v0.18.8)
 *   no async + multipart `item` + one `image`           appendLegacyItem      -> by syncAppend (Add Images)
 *   no async + multipart `items` + `image` x n          appendLegacyItems     -> by syncAppend (SDK v0.18.8)
 *
 * syncAppend (pre-2026 forms only): 'job' (default) -> one AsyncJob per request; 'removed' -> 400;
 * 'legacy' -> the old counts. Nothing is read before the server's fault decision (../server.ts).
 *
 * Over ~350 lines because it holds the five append wire forms side by side, one function each, with
 * the request-level checks and the job creation they share; the forms read best compared in one place.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import {
	findDataset,
	readBody,
	requestBody,
	type EmuContext,
	type Route,
	type RouteCall,
} from '../context';
import { HttpError, decodeLoose, parseJsonText, send, truthy } from '../http';
import type { JobEntry, JobSource } from '../jobs';
import { parseMultipart, type MultipartResult } from '../multipart';
import {
	MAX_LOCAL_FILES_PER_REQUEST,
	MAX_SYNC_ITEMS,
	SYNC_UPLOAD_REMOVED_MESSAGE,
	isPlainObject,
	remoteUrlFailure,
	type AppendForm,
	type ItemLike,
	type LocalImageInfo,
} from '../rules';
import { mintSignedUrl, uploadedObject } from '../storage';
import type { Dataset } from '../store';

export const appendRoutes: Route[] = [
	{
		// The SDK's `serialize_and_write_to_presigned_url`: -> {signed_url}.
		method: 'GET',
		path: 'dataset/:id/signedUrl/:requestId',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			send(req, res, 200, { signed_url: mintSignedUrl(ctx, ds, params.requestId) });
		},
	},
	{ method: 'POST', path: 'dataset/:id/append', handle: append },
];

/** Tells the wire forms apart (query `async`, content type, part names) and hands over. */
async function append(ctx: EmuContext, call: RouteCall): Promise<void> {
	const { req, query } = call;
	const ds = findDataset(ctx, call.params.id);
	// The SDK refuses items for scene datasets client-side (v0.18.8 `Dataset._upload_items`); ASSUMPTION: the server too.
	if (ds.is_scene) {
		throw new HttpError(400, `Dataset ${ds.id} is a scene dataset; append scenes instead of items`);
	}
	const isAsync = truthy(query.get('async'));
	const ctype = String(req.headers['content-type'] ?? '').toLowerCase();
	if (ctype.startsWith('multipart/')) {
		const mp = await parseMultipart(req, requestBody(ctx, req));
		ctx.stats.imagesReceived += mp.images.length;
		if (mp.unexpectedFiles.length > 0) {
			throw new HttpError(
				400,
				`Unexpected file part "${mp.unexpectedFiles[0]}"; files must be sent as "image" parts`,
			);
		}
		const hasItem = mp.fields.has('item');
		const hasItems = mp.fields.has('items');
		if (isAsync) {
			countForm(ctx, 'multipartBatch');
			return appendMultipartBatch(ctx, call, ds, mp);
		}
		if (hasItem && hasItems) {
			throw new HttpError(400, 'Send either an "item" part or an "items" part, not both');
		}
		if (hasItem) {
			countForm(ctx, 'legacyItem');
			return appendLegacyItem(ctx, call, ds, mp);
		}
		if (hasItems) {
			countForm(ctx, 'legacyItems');
			return appendLegacyItems(ctx, call, ds, mp);
		}
		throw new HttpError(
			400,
			'Multipart append needs an "items" part (a JSON array of items) and one "image" part per item',
		);
	}
	const body = await readBody(ctx, req, { required: true });
	if (isAsync) {
		countForm(ctx, 'presigned');
		return appendPresigned(ctx, call, ds, body);
	}
	// ASSUMPTION: a presigned body without ?async=1 is refused (the SDK never sends one).
	if (body.requestId !== undefined)
		throw new HttpError(400, 'A body with "requestId" needs ?async=1');
	countForm(ctx, 'legacyJson');
	return appendLegacyJson(ctx, call, ds, body);
}

// ---- current forms (always asynchronous) ------------------------------------------------------

/**
 * The SDK's `Dataset.append` (async): JSON `{requestId, update}` to `append?async=1` after the NDJSON PUT to the signed
 * URL of that requestId -> AsyncJob. The job reads the uploaded NDJSON (../jobs.ts stage 1).
 */
async function appendPresigned(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	body: Record<string, unknown>,
): Promise<void> {
	const requestId = body.requestId; // camelCase, REQUEST_ID_KEY in the SDK's `nucleus/constants.py`
	if (typeof requestId !== 'string' || requestId === '') {
		throw new HttpError(
			400,
			'Asynchronous append needs "requestId" (from GET dataset/{id}/signedUrl/{requestId})',
		);
	}
	const obj = uploadedObject(ctx, ds.id, requestId);
	if (!obj) {
		throw new HttpError(
			400,
			`Unknown requestId "${requestId}": get a signed URL and upload the items first`,
		);
	}
	if (!obj.file) throw new HttpError(400, `Nothing was uploaded for requestId "${requestId}"`);
	// The job gets its own hard link: a later PUT to the same URL does not change this job's input.
	const jobFile = join(ctx.tmp(), `job-${randomBytes(8).toString('hex')}.ndjson`);
	await fsp.link(obj.file, jobFile);
	ctx.stats.appendItemsReceived += obj.lines;
	acceptJob(ctx, call, ds, 'presigned', { file: jobFile }, truthy(body.update), {
		requestId,
		total: obj.lines,
	});
}

/**
 * The SDK since v0.19.0 (`upload_local_async`): multipart `items` (JSON array, each item may
 * carry "update") + one `image` part per item in the same order, filename = the item's image_url
 * (percent-encoded by aiohttp's FormData, which the SDK's `nucleus/async_utils.py` uses; the decoded form is accepted too), to
 * `append?async=1` -> one AsyncJob for this request. Images are paired to items BY ORDER; a mismatch
 * in count or filename refuses the whole request (400), so a job never pairs the wrong bytes.
 * The stored item keeps the image_url as sent (ASSUMPTION: what the server keeps is not public).
 */
function appendMultipartBatch(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	mp: MultipartResult,
): void {
	if (mp.fields.has('item')) {
		throw new HttpError(
			400,
			'append?async=1 takes an "items" part (a JSON array of items), not an "item" part',
		);
	}
	const text = mp.fields.get('items');
	if (text === undefined) {
		throw new HttpError(
			400,
			'Multipart append?async=1 needs an "items" part (a JSON array of items) and one "image" part per item',
		);
	}
	const items = checkItems(parseJsonText(text, 'Part "items"'), 'Part "items"');
	const n = mp.images.length;
	if (n > MAX_LOCAL_FILES_PER_REQUEST) {
		throw new HttpError(
			400,
			`Too many images in one request (${n} > ${MAX_LOCAL_FILES_PER_REQUEST}); send at most ${MAX_LOCAL_FILES_PER_REQUEST} "image" parts per request`,
		);
	}
	if (n !== items.length) {
		throw new HttpError(
			400,
			`Part "items" has ${items.length} item(s) but ${n} "image" part(s) were sent; send one "image" part per item, in the same order`,
		);
	}
	const entries: JobEntry[] = items.map((item, k) => {
		const url = item.image_url;
		const raw = mp.rawFilenames[k];
		const ref = String(item.reference_id);
		if (typeof url !== 'string' || url === '') {
			throw new HttpError(
				400,
				`Item ${k} (reference_id "${ref}") has no image_url; it must equal the filename of "image" part ${k}`,
			);
		}
		if (raw !== url && mp.images[k].filename !== url) {
			throw new HttpError(
				400,
				`"image" part ${k} has filename "${raw}" but item ${k} (reference_id "${ref}") has image_url "${url}"; send the images in the order of the items, each with filename = its item's image_url`,
			);
		}
		// ASSUMPTION: an item without "update" is update=false (the SDK always sends it, `upload_local_async`).
		return { item, update: truthy(item.update), image: mp.images[k] };
	});
	ctx.stats.appendItemsReceived += items.length;
	acceptJob(ctx, call, ds, 'multipartBatch', { entries }, commonUpdate(entries));
}

// ---- pre-2026 synchronous forms (answered by syncAppend) --------------------------------------

/** The SDK's v0.18.8 `_process_append_requests`: JSON `{items, update}` to `append` without ?async=1. */
function appendLegacyJson(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	body: Record<string, unknown>,
): void {
	refuseIfRemoved(ctx);
	const items = checkItems(body.items, '"items"');
	const update = body.update !== undefined ? truthy(body.update) : truthy(call.query.get('update'));
	answerPre2026(
		ctx,
		call,
		ds,
		'legacyJson',
		items.map((item) => ({ item, update })),
	);
}

/**
 * Scale's REST page "Add Images" (nucleus.scale.com/reference/add-images): one `item` part + one `image` part to `append`
 * without ?async=1. `update` from the item, else an `update` part, else the query.
 */
function appendLegacyItem(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	mp: MultipartResult,
): void {
	refuseIfRemoved(ctx);
	const item = parseJsonText(mp.fields.get('item')!, 'Part "item"');
	const [checked] = checkItems([item], 'Part "item"');
	if (mp.images.length === 0) {
		throw new HttpError(400, 'Multipart append with an "item" part needs an "image" file part');
	}
	if (mp.images.length > 1) {
		throw new HttpError(
			400,
			`One "item" part takes exactly one "image" part (got ${mp.images.length})`,
		);
	}
	const update = checked.update !== undefined ? truthy(checked.update) : partUpdate(call, mp);
	answerPre2026(ctx, call, ds, 'legacyItem', [{ item: checked, update, image: mp.images[0] }]);
}

/**
 * SDK v0.18.8 (`_process_append_requests_local`): `items` + repeated `image` parts to `append` without ?async=1. How that server
 * paired files with items is not documented; as before: by filename (= image_url, raw or
 * percent-decoded), then the rest by order; an item left without a part is remote if its image_url is
 * a remote URL, else it fails ("no image part for this item").
 */
function appendLegacyItems(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	mp: MultipartResult,
): void {
	refuseIfRemoved(ctx);
	const items = checkItems(parseJsonText(mp.fields.get('items')!, 'Part "items"'), 'Part "items"');
	const fallbackUpdate = partUpdate(call, mp);
	const used = new Array<boolean>(mp.images.length).fill(false);
	const byName = new Map<string, number[]>();
	mp.images.forEach((im, i) => {
		for (const n of new Set([im.filename, mp.rawFilenames[i]])) {
			const list = byName.get(n) ?? [];
			list.push(i);
			byName.set(n, list);
		}
	});
	const assigned: Array<number | undefined> = items.map((it) => {
		if (typeof it.image_url !== 'string') return undefined;
		const cands = byName.get(it.image_url) ?? byName.get(decodeLoose(it.image_url)) ?? [];
		const free = cands.find((i) => !used[i]);
		if (free !== undefined) used[free] = true;
		return free;
	});
	let next = 0;
	for (let k = 0; k < items.length; k++) {
		if (assigned[k] !== undefined) continue;
		while (next < used.length && used[next]) next++;
		if (next < used.length) {
			used[next] = true;
			assigned[k] = next;
		}
	}
	const entries: JobEntry[] = items.map((item, k) => {
		const idx = assigned[k];
		const update = item.update !== undefined ? truthy(item.update) : fallbackUpdate;
		let image: LocalImageInfo | null | undefined;
		if (idx !== undefined) image = mp.images[idx];
		else image = remoteUrlFailure(item.image_url) === undefined ? undefined : null;
		return { item, update, image };
	});
	answerPre2026(ctx, call, ds, 'legacyItems', entries);
}

/** syncAppend 'removed': every pre-2026 form is a 400, before its body is validated. */
function refuseIfRemoved(ctx: EmuContext): void {
	if (ctx.config.syncAppend === 'removed') throw new HttpError(400, SYNC_UPLOAD_REMOVED_MESSAGE);
}

/** syncAppend 'job' (default): one AsyncJob for the request; 'legacy': the old counts (`nucleus/upload_response.py`). */
function answerPre2026(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	form: AppendForm,
	entries: JobEntry[],
): void {
	ctx.stats.appendItemsReceived += entries.length;
	if (ctx.config.syncAppend === 'legacy') {
		send(call.req, call.res, 200, legacyCounts(ctx, ds, entries));
		return;
	}
	acceptJob(ctx, call, ds, form, { entries }, commonUpdate(entries));
}

// ---- shared -----------------------------------------------------------------------------------

function countForm(ctx: EmuContext, form: AppendForm): void {
	ctx.stats.appendRequestsByForm[form]++;
}

/**
 * Create the request's one job and answer the AsyncJob (the SDK's `AsyncJob.from_json`):
 * {job_id, job_last_known_status: "Queued", job_type: "uploadDatasetItems", job_creation_time}
 * (+ dataset_id, as job/{id}/info). ASSUMPTION: the initial status is "Queued" (not public).
 */
function acceptJob(
	ctx: EmuContext,
	call: RouteCall,
	ds: Dataset,
	form: AppendForm,
	source: JobSource,
	update: boolean,
	extra: { requestId?: string; total?: number } = {},
): void {
	const rec = ctx.jobs.create({
		datasetId: ds.id,
		update,
		source,
		appendForm: form,
		requestId: extra.requestId,
		total: extra.total,
		hold: ctx.config.holdNewJobs,
	});
	ctx.stats.jobsCreated++;
	send(call.req, call.res, 200, { ...ctx.jobs.infoBody(rec), job_last_known_status: 'Queued' });
}

/** The job record's `update`: true only when every item has update=true (items keep their own). */
function commonUpdate(entries: JobEntry[]): boolean {
	return entries.length > 0 && entries.every((e) => e.update === true);
}

/** `update` of a multipart request without a per-item flag: an `update` part, else the query. */
function partUpdate(call: RouteCall, mp: MultipartResult): boolean {
	const part = mp.fields.get('update');
	return part !== undefined ? truthy(part.trim()) : truthy(call.query.get('update'));
}

/**
 * Request-level checks of an items list (see "REQUEST-LEVEL 400s" in ../rules.ts). Duplicates within
 * one request are refused client-side by the SDK (`check_for_duplicate_reference_ids`); ASSUMPTION: the server refuses them too.
 */
function checkItems(items: unknown, what: string): ItemLike[] {
	if (!Array.isArray(items)) throw new HttpError(400, `${what} must be a JSON array of items`);
	if (items.length === 0) throw new HttpError(400, `${what} is empty`);
	if (items.length > MAX_SYNC_ITEMS) {
		throw new HttpError(
			400,
			`Too many items in one request (${items.length} > ${MAX_SYNC_ITEMS}); use the asynchronous upload`,
		);
	}
	const seen = new Map<string, number>();
	items.forEach((it, i) => {
		if (!isPlainObject(it)) throw new HttpError(400, `Item ${i} is not a JSON object`);
		const ref = it.reference_id;
		if (typeof ref !== 'string' || ref === '') {
			throw new HttpError(400, `Item ${i} has no reference_id (a non-empty string is required)`);
		}
		const prev = seen.get(ref);
		if (prev !== undefined) {
			throw new HttpError(400, `Duplicate reference_id "${ref}" (items ${prev} and ${i})`);
		}
		seen.set(ref, i);
	});
	return items as ItemLike[];
}

interface Counts {
	dataset_id: string;
	new_items: number;
	updated_items: number;
	ignored_items: number;
	upload_errors: number;
	error_payload: Array<Record<string, unknown>>;
}

/** syncAppend 'legacy': apply now and answer the v0.18.8 counts (`nucleus/upload_response.py`). */
function legacyCounts(ctx: EmuContext, ds: Dataset, entries: JobEntry[]): Counts {
	const counts: Counts = {
		dataset_id: ds.id,
		new_items: 0,
		updated_items: 0,
		ignored_items: 0,
		upload_errors: 0,
		error_payload: [],
	};
	for (const e of entries) {
		const r = ctx.store.apply(ds, e.item, e.update === true, e.image);
		if (r.outcome === 'new') counts.new_items++;
		else if (r.outcome === 'updated') counts.updated_items++;
		else if (r.outcome === 'ignored') counts.ignored_items++;
		else {
			counts.upload_errors++;
			const { update: _u, ...rest } = e.item;
			void _u;
			const payload: Record<string, unknown> = { ...rest, error: r.error };
			if (e.image && payload.image_url === undefined) payload.image_url = e.image.filename;
			counts.error_payload.push(payload);
		}
	}
	return counts;
}
