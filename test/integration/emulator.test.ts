import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import FormData from 'form-data';
import {
	startEmulator,
	IMAGE_BATCH_SIZE,
	MAX_LOCAL_FILES_PER_REQUEST,
	SYNC_UPLOAD_REMOVED_MESSAGE,
	type AppendForm,
	type Emulator,
} from '../emulator';

const KEY = 'test_emulator_key_0123456789';
const basic = (key: string): string => 'Basic ' + Buffer.from(`${key}:`).toString('base64');

interface Res {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

async function call(
	emu: Emulator,
	method: string,
	route: string,
	body?: unknown,
	opts: {
		key?: string | null;
		headers?: Record<string, string>;
		raw?: RequestInit['body'];
		absolute?: boolean;
	} = {},
): Promise<Res> {
	const url = opts.absolute
		? route
		: route.startsWith('/__')
			? emu.origin + route
			: `${emu.baseUrl}/${route}`;
	const headers: Record<string, string> = { ...(opts.headers ?? {}) };
	if (opts.key !== null) headers.authorization = basic(opts.key ?? emu.apiKey);
	let payload: RequestInit['body'] = opts.raw;
	if (body !== undefined) {
		headers['content-type'] = 'application/json';
		payload = JSON.stringify(body);
	}
	const r = await fetch(url, { method, headers, body: payload });
	const text = await r.text();
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: r.status, headers: r.headers, text, json };
}

function sha(buf: Buffer): string {
	return createHash('sha256').update(buf).digest('hex');
}

function ndjson(items: unknown[]): string {
	return items.map((i) => JSON.stringify(i)).join('\n') + '\n';
}

async function presignedUpload(
	emu: Emulator,
	ds: string,
	body: string,
	requestId = randomBytes(16).toString('hex'),
): Promise<string> {
	const su = await call(emu, 'GET', `dataset/${ds}/signedUrl/${requestId}`);
	assert.equal(su.status, 200);
	const put = await fetch(su.json.signed_url, { method: 'PUT', body });
	assert.equal(put.status, 200, await put.text());
	return requestId;
}

async function waitFinal(emu: Emulator, jobId: string): Promise<any> {
	for (let i = 0; i < 1000; i++) {
		const r = await call(emu, 'GET', `job/${jobId}`);
		if (!['Queued', 'Running'].includes(r.json.status)) return r.json;
		await new Promise((res) => setTimeout(res, 10));
	}
	throw new Error('job did not finish');
}

/** Seed a dataset through the presigned flow (api §3.1) and wait for the job. */
async function seed(emu: Emulator, ds: string, items: unknown[]): Promise<void> {
	const requestId = await presignedUpload(emu, ds, ndjson(items));
	const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
	assert.equal(j.status, 200, j.text);
	const rec = await emu.finishJob(j.json.job_id);
	assert.equal(rec?.status, 'Completed');
}

interface Img {
	data: Buffer;
	/** Sent as the part's filename exactly (form-data's `filepath`, so "/" is kept). */
	filename: string;
	contentType?: string;
}

/** The current local form (api §3.2): one `items` part (no filename) + one `image` part per item. */
function batchForm(items: unknown, images: Img[], opts: { itemsPart?: string } = {}): FormData {
	const form = new FormData();
	if (items !== undefined) {
		form.append(
			opts.itemsPart ?? 'items',
			typeof items === 'string' ? items : JSON.stringify(items),
			{
				contentType: 'application/json',
			},
		);
	}
	for (const im of images) {
		form.append('image', im.data, {
			filepath: im.filename,
			contentType: im.contentType ?? 'image/png',
		});
	}
	return form;
}

function postForm(emu: Emulator, ds: string, form: FormData, query = '?async=1'): Promise<Res> {
	return call(emu, 'POST', `dataset/${ds}/append${query}`, undefined, {
		raw: form.getBuffer(),
		headers: form.getHeaders(),
	});
}

function postBatch(
	emu: Emulator,
	ds: string,
	items: unknown,
	images: Img[],
	query = '?async=1',
): Promise<Res> {
	return postForm(emu, ds, batchForm(items, images), query);
}

/** `n` local items with distinct random images; filenames percent-encoded as the SDK sends them. */
function localItems(
	n: number,
	tag: string,
	extra: Record<string, unknown> = {},
): { items: Record<string, unknown>[]; images: Img[]; bytes: Buffer[] } {
	const bytes = Array.from({ length: n }, (_, i) => randomBytes(500 + i));
	const items = bytes.map((_, i) => ({
		reference_id: `${tag}-${i}`,
		image_url: `/data/${tag}/img ${i}.png`,
		metadata: { i },
		update: false,
		...extra,
	}));
	const images = items.map((it, i) => ({
		data: bytes[i],
		filename: encodeURIComponent(it.image_url),
	}));
	return { items, images, bytes };
}

const JOB_KEYS = ['dataset_id', 'job_creation_time', 'job_id', 'job_last_known_status', 'job_type'];

/** The AsyncJob answer of every append form (api §3.1 step 6). */
function assertAsyncJob(r: Res, ds: string): string {
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(Object.keys(r.json).sort(), JOB_KEYS);
	assert.match(r.json.job_id, /^job_/);
	assert.equal(r.json.job_last_known_status, 'Queued');
	assert.equal(r.json.job_type, 'uploadDatasetItems');
	assert.equal(r.json.dataset_id, ds);
	assert.ok(!Number.isNaN(Date.parse(r.json.job_creation_time)));
	return r.json.job_id;
}

describe('emulator: auth, datasets, items', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	test('401 without credentials and with a wrong key; 200 with the right key', async () => {
		const none = await call(emu, 'GET', 'dataset/details', undefined, { key: null });
		assert.equal(none.status, 401);
		assert.deepEqual(none.json, {
			error: 'Unauthorized: invalid or missing API key',
			status_code: 401,
		});
		const wrong = await call(emu, 'GET', 'dataset/details', undefined, { key: 'wrong_key' });
		assert.equal(wrong.status, 401);
		assert.equal(wrong.json.status_code, 401);
		const ok = await call(emu, 'GET', 'dataset/details');
		assert.equal(ok.status, 200);
		assert.ok(Array.isArray(ok.json));
		// the control API needs the key too
		assert.equal(
			(await call(emu, 'GET', '/__control/stats', undefined, { key: null })).status,
			401,
		);
	});

	test('create dataset, list it, read its info; unknown dataset is a 404 with {error,status_code}', async () => {
		const c = await call(emu, 'POST', 'dataset/create', {
			name: 'cats',
			is_scene: false,
			use_privacy_mode: false,
			item_metadata_schema: null,
			annotation_metadata_schema: null,
		});
		assert.equal(c.status, 200);
		assert.match(c.json.dataset_id, /^ds_[a-z0-9]+$/);
		const id = c.json.dataset_id as string;
		const list = await call(emu, 'GET', 'dataset/details');
		assert.deepEqual(
			list.json.find((d: { id: string }) => d.id === id),
			{ id, name: 'cats', is_public: false },
		);
		const info = await call(emu, 'GET', `dataset/${id}/info`);
		assert.equal(info.json.dataset_id, id);
		assert.equal(info.json.name, 'cats');
		assert.equal(info.json.length, 0);
		assert.deepEqual((await call(emu, 'GET', `dataset/${id}/name`)).json, { name: 'cats' });
		assert.deepEqual((await call(emu, 'GET', `dataset/${id}/size`)).json, { count: 0 });
		assert.deepEqual((await call(emu, 'GET', `dataset/${id}/is_scene`)).json, { is_scene: false });
		assert.deepEqual((await call(emu, 'GET', `dataset/${id}/use_privacy_mode`)).json, {
			use_privacy_mode: false,
		});
		const missing = await call(emu, 'GET', 'dataset/ds_nope/info');
		assert.equal(missing.status, 404);
		assert.deepEqual(missing.json, { error: 'Dataset ds_nope not found', status_code: 404 });
		const bad = await call(emu, 'POST', 'dataset/create', { name: '' });
		assert.equal(bad.status, 400);
		assert.equal(bad.json.status_code, 400);
	});

	test('refloc with a "/" in the reference id (sent as %2F), GET and DELETE', async () => {
		const ds = emu.createDataset('refloc');
		await seed(emu, ds, [
			{
				reference_id: 'test/reference/id',
				image_url: 'https://a.example.com/1.jpg',
				metadata: { k: 'v' },
			},
		]);
		const enc = encodeURIComponent('test/reference/id');
		assert.equal(enc, 'test%2Freference%2Fid');
		const got = await call(emu, 'GET', `dataset/${ds}/refloc/${enc}`);
		assert.equal(got.status, 200);
		assert.equal(got.json.item.reference_id, 'test/reference/id');
		assert.deepEqual(got.json.item.metadata, { k: 'v' });
		assert.match(got.json.item.dataset_item_id, /^di_/);
		assert.deepEqual(got.json.annotations, {});
		const del = await call(emu, 'DELETE', `dataset/${ds}/refloc/${enc}`);
		assert.equal(del.status, 200);
		assert.equal(del.json.deleted, true);
		assert.equal((await call(emu, 'GET', `dataset/${ds}/refloc/${enc}`)).status, 404);
		assert.equal((await call(emu, 'DELETE', `dataset/${ds}/refloc/${enc}`)).status, 404);
	});

	test('itemsPage pages through items; datasetItems lists all; DELETE dataset', async () => {
		const ds = emu.createDataset('pages');
		await seed(
			emu,
			ds,
			Array.from({ length: 5 }, (_, i) => ({
				reference_id: `p${i}`,
				image_url: `https://a.example.com/${i}.jpg`,
			})),
		);
		const seen: string[] = [];
		let token: string | null = null;
		let pages = 0;
		do {
			const r = await call(emu, 'POST', `dataset/${ds}/itemsPage`, {
				pageSize: 2,
				pageToken: token,
			});
			assert.equal(r.status, 200);
			seen.push(...r.json.items.map((i: { reference_id: string }) => i.reference_id));
			token = r.json.nextPageToken;
			pages++;
		} while (token);
		assert.equal(pages, 3);
		assert.deepEqual(seen, ['p0', 'p1', 'p2', 'p3', 'p4']);
		const all = await call(emu, 'GET', `dataset/${ds}/datasetItems`);
		assert.equal(all.json.dataset_items.length, 5);
		assert.equal((await call(emu, 'DELETE', `dataset/${ds}`)).status, 200);
		assert.equal((await call(emu, 'GET', `dataset/${ds}/info`)).status, 404);
	});
});

describe("emulator: pre-2026 synchronous forms with syncAppend 'legacy' (v0.18.8 counts)", () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator({ syncAppend: 'legacy' });
	});
	after(() => emu.close());

	test('JSON append: new, then ignored (update=false) and updated (update=true, metadata replaced)', async () => {
		const ds = emu.createDataset('upd');
		const first = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{
					reference_id: 'a',
					image_url: 'https://img.example.com/a.jpg',
					metadata: { x: 1, y: 'keep' },
				},
				{ reference_id: 'b', image_url: 's3://bucket/b.jpg', metadata: {} },
			],
			update: false,
		});
		assert.equal(first.status, 200);
		assert.deepEqual(first.json, {
			dataset_id: ds,
			new_items: 2,
			updated_items: 0,
			ignored_items: 0,
			upload_errors: 0,
			error_payload: [],
		});
		const ignored = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'a', image_url: 'https://img.example.com/a2.jpg', metadata: { x: 2 } },
			],
			update: false,
		});
		assert.equal(ignored.json.ignored_items, 1);
		assert.equal(ignored.json.new_items, 0);
		assert.deepEqual(emu.getItem(ds, 'a')?.metadata, { x: 1, y: 'keep' });
		assert.equal(emu.getItem(ds, 'a')?.image_url, 'https://img.example.com/a.jpg');
		const updated = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'a', image_url: 'https://img.example.com/a2.jpg', metadata: { x: 2 } },
			],
			update: true,
		});
		assert.equal(updated.json.updated_items, 1);
		const a = emu.getItem(ds, 'a');
		assert.deepEqual(a?.metadata, { x: 2 });
		assert.equal(a?.image_url, 'https://img.example.com/a2.jpg');
		assert.equal(a?.updatedCount, 1);
		assert.equal(emu.itemCount(ds), 2);
	});

	test('JSON append: deterministic per-item failures are reported, good items still stored', async () => {
		const ds = emu.createDataset('fail');
		const r = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'ok', image_url: 'https://img.example.com/ok.jpg', metadata: { n: 1 } },
				{ reference_id: 'ftp', image_url: 'ftp://host/x.jpg', metadata: {} },
				{ reference_id: 'gcs', image_url: 'gcs://bucket/x.jpg', metadata: {} },
				{ reference_id: 'dead', image_url: 'https://cdn.bad.invalid/x.jpg', metadata: {} },
				{ reference_id: 'nourl', metadata: {} },
				{
					reference_id: 'type',
					image_url: 'https://img.example.com/t.jpg',
					metadata: { n: 'one' },
				},
			],
			update: false,
		});
		assert.equal(r.status, 200);
		assert.equal(r.json.new_items, 1);
		assert.equal(r.json.upload_errors, 5);
		const errs = Object.fromEntries(
			r.json.error_payload.map((e: { reference_id: string; error: string }) => [
				e.reference_id,
				e.error,
			]),
		);
		assert.match(errs.ftp, /unsupported scheme "ftp"/);
		assert.match(errs.gcs, /unsupported scheme "gcs"/);
		assert.match(errs.dead, /could not fetch image/);
		assert.match(errs.nourl, /missing image_url/);
		assert.match(errs.type, /metadata key "n" is a string but the dataset stores number/);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['ok'],
		);
	});

	test('JSON append: request-level 400s (duplicate reference_id, missing reference_id, too many items)', async () => {
		const ds = emu.createDataset('bad');
		const dup = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'same', image_url: 'https://a.example.com/1.jpg' },
				{ reference_id: 'same', image_url: 'https://a.example.com/2.jpg' },
			],
		});
		assert.equal(dup.status, 400);
		assert.match(dup.json.error, /Duplicate reference_id "same"/);
		const noRef = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [{ image_url: 'https://a.example.com/1.jpg' }],
		});
		assert.equal(noRef.status, 400);
		const many = Array.from({ length: 1001 }, (_, i) => ({
			reference_id: `r${i}`,
			image_url: 'https://a.example.com/1.jpg',
		}));
		assert.equal((await call(emu, 'POST', `dataset/${ds}/append`, { items: many })).status, 400);
		const notJson = await call(emu, 'POST', `dataset/${ds}/append`, undefined, {
			raw: '{nope',
			headers: { 'content-type': 'application/json' },
		});
		assert.equal(notJson.status, 400);
		assert.equal(emu.itemCount(ds), 0);
		assert.equal((await call(emu, 'POST', 'dataset/ds_missing/append', { items: [] })).status, 404);
	});

	test('privacy-mode datasets need width and height', async () => {
		const ds = emu.createDataset('private', { usePrivacyMode: true });
		const r = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'no-dims', image_url: 'https://a.example.com/1.jpg' },
				{ reference_id: 'dims', image_url: 'https://a.example.com/2.jpg', width: 640, height: 480 },
			],
		});
		assert.equal(r.json.new_items, 1);
		assert.equal(r.json.upload_errors, 1);
		assert.match(r.json.error_payload[0].error, /privacy mode/);
		assert.equal(emu.getItem(ds, 'dims')?.width, 640);
	});

	test('legacyItem: part "item" + one "image" part; bytes and sha256 recorded; update via query', async () => {
		const ds = emu.createDataset('local');
		const img = randomBytes(256 * 1024);
		const send = async (meta: Record<string, unknown>, image: Buffer, query = ''): Promise<Res> => {
			const fd = new globalThis.FormData();
			fd.append('item', JSON.stringify({ reference_id: 'cat-1', metadata: meta }));
			fd.append('image', new Blob([image], { type: 'image/png' }), 'cat.png');
			return call(emu, 'POST', `dataset/${ds}/append${query}`, undefined, { raw: fd });
		};
		const r = await send({ v: 1 }, img);
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.new_items, 1);
		const it = emu.getItem(ds, 'cat-1');
		assert.deepEqual(it?.image, {
			bytes: img.length,
			sha256: sha(img),
			contentType: 'image/png',
			filename: 'cat.png',
		});
		assert.deepEqual(it?.metadata, { v: 1 });
		const again = await send({ v: 2 }, img);
		assert.equal(again.json.ignored_items, 1);
		assert.deepEqual(emu.getItem(ds, 'cat-1')?.metadata, { v: 1 });
		const upd = await send({ v: 3 }, img, '?update=true');
		assert.equal(upd.json.updated_items, 1);
		assert.deepEqual(emu.getItem(ds, 'cat-1')?.metadata, { v: 3 });
		assert.equal(emu.stats().imagesReceived, 3);
	});

	test('legacyItem: an empty image part fails the item; a missing image part is a 400', async () => {
		const ds = emu.createDataset('local-bad');
		const fd = new globalThis.FormData();
		fd.append('item', JSON.stringify({ reference_id: 'empty', metadata: {} }));
		fd.append('image', new Blob([], { type: 'image/jpeg' }), 'empty.jpg');
		const r = await call(emu, 'POST', `dataset/${ds}/append`, undefined, { raw: fd });
		assert.equal(r.json.upload_errors, 1);
		assert.equal(r.json.error_payload[0].error, 'empty image');
		const noImg = new globalThis.FormData();
		noImg.append('item', JSON.stringify({ reference_id: 'x', metadata: {} }));
		const r2 = await call(emu, 'POST', `dataset/${ds}/append`, undefined, { raw: noImg });
		assert.equal(r2.status, 400);
		const wrongName = new globalThis.FormData();
		wrongName.append('item', JSON.stringify({ reference_id: 'x', metadata: {} }));
		wrongName.append('file', new Blob([Buffer.from('abc')]), 'x.png');
		const r3 = await call(emu, 'POST', `dataset/${ds}/append`, undefined, { raw: wrongName });
		assert.equal(r3.status, 400);
		assert.match(r3.json.error, /"file"/);
		assert.equal(emu.itemCount(ds), 0);
	});

	test('legacyItems (SDK v0.18.8): "items" part + repeated "image" parts paired by percent-encoded filename, else by order', async () => {
		const ds = emu.createDataset('sdk');
		const imgs = [randomBytes(1000), randomBytes(2000), randomBytes(3000)];
		const paths = ['/tmp/a.png', '/tmp/b.png', '/tmp/c.png'];
		const form = new FormData();
		form.append(
			'items',
			JSON.stringify(
				paths.map((p, i) => ({
					reference_id: `f${i}`,
					image_url: p,
					metadata: { i },
					update: false,
				})),
			),
			{ contentType: 'application/json' },
		);
		// images in reverse order: pairing must go by filename
		for (const i of [2, 1, 0]) {
			form.append('image', imgs[i], {
				filename: encodeURIComponent(paths[i]),
				contentType: 'image/png',
			});
		}
		const r = await call(emu, 'POST', `dataset/${ds}/append`, undefined, {
			raw: form.getBuffer(),
			headers: form.getHeaders(),
		});
		assert.equal(r.status, 200, r.text);
		assert.equal(r.json.new_items, 3);
		for (let i = 0; i < 3; i++) {
			const it = emu.getItem(ds, `f${i}`);
			assert.equal(it?.image?.sha256, sha(imgs[i]), `f${i} paired with its own file`);
			assert.equal(it?.image?.filename, paths[i]);
			assert.equal(it?.image_url, paths[i]);
		}
		// by order when names do not match; an item with neither a match nor a remote URL fails
		const form2 = new FormData();
		form2.append(
			'items',
			JSON.stringify([
				{ reference_id: 'o1', image_url: 'x.png', metadata: {}, update: true },
				{ reference_id: 'o2', image_url: 'y.png', metadata: {}, update: true },
				{ reference_id: 'o3', image_url: 'z.png', metadata: {}, update: true },
			]),
			{ contentType: 'application/json' },
		);
		form2.append('image', imgs[0], { filename: 'one.png', contentType: 'image/png' });
		form2.append('image', imgs[1], { filename: 'two.png', contentType: 'image/png' });
		const r2 = await call(emu, 'POST', `dataset/${ds}/append`, undefined, {
			raw: form2.getBuffer(),
			headers: form2.getHeaders(),
		});
		assert.equal(r2.json.new_items, 2);
		assert.equal(r2.json.upload_errors, 1);
		assert.equal(r2.json.error_payload[0].reference_id, 'o3');
		assert.equal(r2.json.error_payload[0].error, 'no image part for this item');
		assert.equal(emu.getItem(ds, 'o1')?.image?.sha256, sha(imgs[0]));
		assert.equal(emu.getItem(ds, 'o2')?.image?.sha256, sha(imgs[1]));
	});
});

describe('emulator: multipart batch to append?async=1 (the current local form)', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	test('items + images paired by order: one AsyncJob per request; stored sha256, type, filename and image_url as sent', async () => {
		const ds = emu.createDataset('batch');
		emu.resetStats();
		const { items, images, bytes } = localItems(3, 'b');
		images[1] = { ...images[1], filename: items[1].image_url as string, contentType: 'image/jpg' }; // raw, not encoded
		const r = await postBatch(emu, ds, items, images);
		const jobId = assertAsyncJob(r, ds);
		const s = emu.stats();
		assert.equal(s.jobsCreated, 1);
		assert.equal(s.imagesReceived, 3);
		assert.equal(s.appendItemsReceived, 3);
		assert.deepEqual(s.appendRequestsByForm, {
			presigned: 0,
			multipartBatch: 1,
			legacyJson: 0,
			legacyItem: 0,
			legacyItems: 0,
		});
		const rec = await emu.finishJob(jobId);
		assert.equal(rec?.status, 'Completed');
		assert.equal(rec?.appendForm, 'multipartBatch');
		assert.equal(rec?.total, 3);
		assert.equal(rec?.newItems, 3);
		for (let i = 0; i < 3; i++) {
			const it = emu.getItem(ds, `b-${i}`);
			assert.equal(it?.image_url, `/data/b/img ${i}.png`, 'the image_url as sent');
			assert.deepEqual(it?.image, {
				bytes: bytes[i].length,
				sha256: sha(bytes[i]),
				contentType: i === 1 ? 'image/jpg' : 'image/png',
				filename: `/data/b/img ${i}.png`,
			});
			assert.deepEqual(it?.metadata, { i });
		}
		// a second request is a second job
		const more = localItems(2, 'c');
		const r2 = await postBatch(emu, ds, more.items, more.images);
		const job2 = assertAsyncJob(r2, ds);
		assert.notEqual(job2, jobId);
		assert.equal(emu.stats().jobsCreated, 2);
		assert.equal((await emu.finishJob(job2))?.status, 'Completed');
		assert.equal(emu.itemCount(ds), 5);
		assert.equal(
			(await call(emu, 'GET', `dataset/${ds}/refloc/c-1`)).json.item.image_url,
			'/data/c/img 1.png',
		);
	});

	test(`${MAX_LOCAL_FILES_PER_REQUEST} images are accepted, ${MAX_LOCAL_FILES_PER_REQUEST + 1} are a 400`, async () => {
		const ds = emu.createDataset('ten');
		const ten = localItems(10, 'ten');
		const ok = await postBatch(emu, ds, ten.items, ten.images);
		assert.equal((await emu.finishJob(assertAsyncJob(ok, ds)))?.status, 'Completed');
		assert.equal(emu.itemCount(ds), 10);
		const jobs = emu.stats().jobsCreated;
		const eleven = localItems(11, 'eleven');
		const bad = await postBatch(emu, ds, eleven.items, eleven.images);
		assert.equal(bad.status, 400);
		assert.deepEqual(bad.json, {
			error: 'Too many images in one request (11 > 10); send at most 10 "image" parts per request',
			status_code: 400,
		});
		assert.equal(emu.stats().jobsCreated, jobs, 'no job');
		assert.equal(emu.itemCount(ds), 10);
	});

	test('a different number of image parts than items is a 400', async () => {
		const ds = emu.createDataset('count');
		const { items, images } = localItems(3, 'n');
		const fewer = await postBatch(emu, ds, items, images.slice(0, 2));
		assert.equal(fewer.status, 400);
		assert.match(fewer.json.error, /has 3 item\(s\) but 2 "image" part\(s\)/);
		const more = await postBatch(emu, ds, items.slice(0, 2), images);
		assert.equal(more.status, 400);
		assert.match(more.json.error, /has 2 item\(s\) but 3 "image" part\(s\)/);
		const none = await postBatch(emu, ds, items, []);
		assert.equal(none.status, 400);
		assert.equal(emu.itemCount(ds), 0);
		assert.equal(emu.listJobs().filter((j) => j.dataset_id === ds).length, 0);
	});

	test("a filename that is neither the item's image_url nor its percent-encoded form is a 400 (pairing is by order)", async () => {
		const ds = emu.createDataset('names');
		const { items, images } = localItems(2, 'm');
		const swapped = await postBatch(emu, ds, items, [images[1], images[0]]);
		assert.equal(swapped.status, 400);
		assert.match(
			swapped.json.error,
			/"image" part 0 has filename "%2Fdata%2Fm%2Fimg%201\.png" but item 0 \(reference_id "m-0"\) has image_url "\/data\/m\/img 0\.png"/,
		);
		const other = await postBatch(emu, ds, items, [
			images[0],
			{ data: randomBytes(10), filename: 'other.png' },
		]);
		assert.equal(other.status, 400);
		assert.match(other.json.error, /part 1 has filename "other\.png"/);
		const noUrl = await postBatch(
			emu,
			ds,
			[{ reference_id: 'x', metadata: {}, update: false }],
			[images[0]],
		);
		assert.equal(noUrl.status, 400);
		assert.match(noUrl.json.error, /has no image_url/);
		assert.equal(emu.itemCount(ds), 0);
	});

	test('a bad "items" part is a 400 and creates no job', async () => {
		const ds = emu.createDataset('items-bad');
		const img = { data: randomBytes(10), filename: 'a.png' };
		const good = { reference_id: 'a', image_url: 'a.png', metadata: {}, update: false };
		const jobs = emu.stats().jobsCreated;
		const cases: Array<[string, FormData, RegExp]> = [
			['missing', batchForm(undefined, [img]), /needs an "items" part/],
			['not JSON', batchForm('{nope', [img]), /Part "items" is not valid JSON/],
			['not an array', batchForm(good, [img]), /must be a JSON array of items/],
			['empty', batchForm([], [img]), /Part "items" is empty/],
			['item not an object', batchForm(['a.png'], [img]), /Item 0 is not a JSON object/],
			['no reference_id', batchForm([{ image_url: 'a.png' }], [img]), /Item 0 has no reference_id/],
			[
				'numeric reference_id',
				batchForm([{ reference_id: 7, image_url: 'a.png' }], [img]),
				/Item 0 has no reference_id/,
			],
			[
				'duplicate reference_id',
				batchForm([good, { ...good }], [img, img]),
				/Duplicate reference_id "a" \(items 0 and 1\)/,
			],
			[
				'an "item" part',
				batchForm(good, [img], { itemsPart: 'item' }),
				/takes an "items" part .*not an "item" part/,
			],
		];
		for (const [name, form, re] of cases) {
			const r = await postForm(emu, ds, form);
			assert.equal(r.status, 400, name);
			assert.equal(r.json.status_code, 400, name);
			assert.match(r.json.error, re, name);
		}
		const wrongPart = new FormData();
		wrongPart.append('items', JSON.stringify([good]), { contentType: 'application/json' });
		wrongPart.append('file', Buffer.from('x'), { filename: 'a.png' });
		const wp = await postForm(emu, ds, wrongPart);
		assert.equal(wp.status, 400);
		assert.match(wp.json.error, /Unexpected file part "file"/);
		assert.equal(emu.stats().jobsCreated, jobs);
		assert.equal(emu.itemCount(ds), 0);
	});

	test('an empty (0-byte) image fails only that item, with the public error text', async () => {
		const ds = emu.createDataset('empty');
		const { items, images } = localItems(3, 'e');
		images[1] = { ...images[1], data: Buffer.alloc(0) };
		const r = await postBatch(emu, ds, items, images);
		const rec = await emu.finishJob(assertAsyncJob(r, ds));
		assert.equal(rec?.status, 'Errored_Partial');
		assert.equal(rec?.newItems, 2);
		assert.equal(rec?.errored, 1);
		assert.deepEqual((await call(emu, 'GET', `job/${rec?.job_id}/errors`)).json, [
			'Failure when processing the image "/data/e/img 1.png": empty image',
		]);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['e-0', 'e-2'],
		);
	});

	test('update semantics per item: update=false leaves an existing item, update=true replaces it (image too)', async () => {
		const ds = emu.createDataset('upd-batch');
		const first = localItems(2, 'u');
		assert.equal(
			(await emu.finishJob(assertAsyncJob(await postBatch(emu, ds, first.items, first.images), ds)))
				?.newItems,
			2,
		);
		const a2 = randomBytes(64);
		const b2 = randomBytes(65);
		const second = [
			{ ...first.items[0], metadata: { v: 2 }, update: false },
			{ ...first.items[1], metadata: { v: 2 }, update: true },
		];
		const r = await postBatch(emu, ds, second, [
			{ data: a2, filename: first.images[0].filename },
			{ data: b2, filename: first.images[1].filename },
		]);
		const rec = await emu.finishJob(assertAsyncJob(r, ds));
		assert.equal(rec?.status, 'Completed');
		assert.equal(rec?.ignoredItems, 1);
		assert.equal(rec?.updatedItems, 1);
		const a = emu.getItem(ds, 'u-0');
		assert.deepEqual(a?.metadata, { i: 0 });
		assert.equal(a?.image?.sha256, sha(first.bytes[0]));
		assert.equal(a?.updatedCount, 0);
		const b = emu.getItem(ds, 'u-1');
		assert.deepEqual(b?.metadata, { v: 2 });
		assert.equal(b?.image?.sha256, sha(b2));
		assert.equal(b?.updatedCount, 1);
	});

	test('a large image is hashed while streaming', async () => {
		const ds = emu.createDataset('big');
		const big = randomBytes(8 * 1024 * 1024);
		const form = new FormData();
		form.append(
			'items',
			JSON.stringify([{ reference_id: 'big', image_url: 'big.bin', metadata: {}, update: false }]),
			{
				contentType: 'application/json',
			},
		);
		form.append('image', Readable.from([big.subarray(0, 4 << 20), big.subarray(4 << 20)]), {
			filename: 'big.bin',
			contentType: 'application/octet-stream',
			knownLength: big.length,
		});
		const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
			const req = http.request(`${emu.baseUrl}/dataset/${ds}/append?async=1`, {
				method: 'POST',
				headers: {
					...form.getHeaders(),
					authorization: basic(KEY),
					'content-length': String(form.getLengthSync()),
				},
			});
			req.on('response', (res) => {
				let body = '';
				res.on('data', (d: Buffer) => (body += d.toString()));
				res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
			});
			req.on('error', reject);
			form.pipe(req);
		});
		assert.equal(answer.status, 200, answer.body);
		assert.equal((await emu.finishJob(JSON.parse(answer.body).job_id))?.status, 'Completed');
		assert.deepEqual(emu.getItem(ds, 'big')?.image?.bytes, big.length);
		assert.equal(emu.getItem(ds, 'big')?.image?.sha256, sha(big));
	});
});

describe('emulator: pre-2026 synchronous forms by syncAppend mode', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	const img = Buffer.from('legacy image bytes');
	type LegacyForm = Extract<AppendForm, 'legacyJson' | 'legacyItem' | 'legacyItems'>;
	/** One pre-2026 request per form, each with one item `ref`. */
	const send: Record<LegacyForm, (ds: string, ref: string) => Promise<Res>> = {
		legacyJson: (ds, ref) =>
			call(emu, 'POST', `dataset/${ds}/append`, {
				items: [
					{ reference_id: ref, image_url: `https://img.example.com/${ref}.jpg`, metadata: { ref } },
				],
				update: false,
			}),
		legacyItem: (ds, ref) => {
			const form = new FormData();
			form.append('item', JSON.stringify({ reference_id: ref, metadata: { ref }, update: false }), {
				contentType: 'application/json',
			});
			form.append('image', img, { filename: `${ref}.png`, contentType: 'image/png' });
			return postForm(emu, ds, form, '');
		},
		legacyItems: (ds, ref) =>
			postBatch(
				emu,
				ds,
				[{ reference_id: ref, image_url: `/tmp/${ref}.png`, metadata: { ref }, update: false }],
				[{ data: img, filename: encodeURIComponent(`/tmp/${ref}.png`) }],
				'',
			),
	};
	const forms = Object.keys(send) as LegacyForm[];

	test("'job' (the default): each form is taken into the async pipeline, one AsyncJob per request", async () => {
		assert.equal(emu.config().syncAppend, 'job');
		const ds = emu.createDataset('sync-job');
		for (const form of forms) {
			emu.resetStats();
			const ref = `job-${form}`;
			const r = await send[form](ds, ref);
			const jobId = assertAsyncJob(r, ds);
			assert.equal(r.json.new_items, undefined, 'no counts');
			const s = emu.stats();
			assert.equal(s.jobsCreated, 1, form);
			assert.equal(s.appendItemsReceived, 1, form);
			assert.equal(s.appendRequestsByForm[form], 1, form);
			assert.equal(emu.getItem(ds, ref), undefined, `${form}: not stored before the job runs`);
			const rec = await emu.finishJob(jobId);
			assert.equal(rec?.status, 'Completed', form);
			assert.equal(rec?.appendForm, form);
			const it = emu.getItem(ds, ref);
			assert.deepEqual(it?.metadata, { ref });
			if (form === 'legacyJson') assert.equal(it?.image, undefined);
			else assert.equal(it?.image?.sha256, sha(img), form);
		}
		// several items in one request: still one job
		const many = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'm1', image_url: 'https://img.example.com/1.jpg' },
				{ reference_id: 'm2', image_url: 'https://bad.invalid/2.jpg' },
			],
			update: false,
		});
		const rec = await emu.finishJob(assertAsyncJob(many, ds));
		assert.equal(rec?.total, 2);
		assert.equal(rec?.status, 'Errored_Partial');
		assert.deepEqual(rec?.errors, [
			'Failure when processing the image "https://bad.invalid/2.jpg": could not fetch image (host not found)',
		]);
		// request-level checks still apply
		const jobs = emu.stats().jobsCreated;
		const dup = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'd', image_url: 'https://a.example.com/1.jpg' },
				{ reference_id: 'd', image_url: 'https://a.example.com/2.jpg' },
			],
		});
		assert.equal(dup.status, 400);
		assert.match(dup.json.error, /Duplicate reference_id "d"/);
		assert.equal(emu.stats().jobsCreated, jobs);
	});

	test("'removed': each form is a 400 with the documented body; nothing stored, no job; the current forms still work", async () => {
		emu.setSyncAppend('removed');
		try {
			const ds = emu.createDataset('sync-removed');
			emu.resetStats();
			for (const form of forms) {
				const r = await send[form](ds, `removed-${form}`);
				assert.equal(r.status, 400, form);
				assert.deepEqual(r.json, {
					error:
						'Synchronous uploads are no longer supported. Use the asynchronous pipeline (append?async=1).',
					status_code: 400,
				});
				assert.equal(r.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
				assert.equal(emu.stats().appendRequestsByForm[form], 1, `${form} was recognised`);
			}
			// even an invalid legacy body gets the "removed" answer
			const dup = await call(emu, 'POST', `dataset/${ds}/append`, {
				items: [{ reference_id: 'x' }, { reference_id: 'x' }],
			});
			assert.equal(dup.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
			const s = emu.stats();
			assert.equal(s.jobsCreated, 0);
			assert.equal(s.appendItemsReceived, 0);
			assert.equal(emu.itemCount(ds), 0);
			const { items, images } = localItems(1, 'still');
			assert.equal(
				(await emu.finishJob(assertAsyncJob(await postBatch(emu, ds, items, images), ds)))?.status,
				'Completed',
			);
			await seed(emu, ds, [{ reference_id: 'remote', image_url: 'https://img.example.com/r.jpg' }]);
			assert.equal(emu.itemCount(ds), 2);
		} finally {
			emu.setSyncAppend('job');
		}
	});

	test("'legacy' (set by the control API): each form answers the v0.18.8 counts", async () => {
		const set = await call(emu, 'POST', '/__control/config', { syncAppend: 'legacy' });
		assert.equal(set.json.syncAppend, 'legacy');
		try {
			const ds = emu.createDataset('sync-legacy');
			emu.resetStats();
			for (const form of forms) {
				const r = await send[form](ds, `legacy-${form}`);
				assert.equal(r.status, 200, r.text);
				assert.deepEqual(r.json, {
					dataset_id: ds,
					new_items: 1,
					updated_items: 0,
					ignored_items: 0,
					upload_errors: 0,
					error_payload: [],
				});
				assert.deepEqual(
					emu.getItem(ds, `legacy-${form}`)?.metadata,
					{ ref: `legacy-${form}` },
					'stored at once',
				);
				const again = await send[form](ds, `legacy-${form}`);
				assert.equal(again.json.ignored_items, 1, form);
			}
			assert.equal(emu.stats().jobsCreated, 0);
			assert.deepEqual(emu.stats().appendRequestsByForm, {
				presigned: 0,
				multipartBatch: 0,
				legacyJson: 2,
				legacyItem: 2,
				legacyItems: 2,
			});
		} finally {
			emu.setSyncAppend('job');
		}
	});
});

describe('emulator: job error texts, partial failure status, runtime config', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	const mixed = [
		{ reference_id: 'ok', image_url: 'https://img.example.com/ok.jpg', metadata: {} },
		{ reference_id: 'ftp', image_url: 'ftp://host/x.jpg', metadata: {} },
		{ reference_id: 'dead', image_url: 'https://cdn.bad.invalid/x.jpg', metadata: {} },
		{ reference_id: 'nourl', metadata: {} },
		{ reference_id: 'meta', image_url: 'https://img.example.com/m.jpg', metadata: 'nope' },
	];
	async function runPresigned(ds: string, items: unknown[]): Promise<any> {
		const requestId = await presignedUpload(emu, ds, ndjson(items));
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
		await emu.finishJob(assertAsyncJob(j, ds));
		return (await call(emu, 'GET', `job/${j.json.job_id}`)).json;
	}

	test('job errors quote the image URL in the public form, without a reference_id', async () => {
		const ds = emu.createDataset('texts');
		const final = await runPresigned(ds, mixed);
		assert.deepEqual((await call(emu, 'GET', `job/${final.job_id}/errors`)).json, [
			'Failure when processing the image "ftp://host/x.jpg": unsupported scheme "ftp"',
			'Failure when processing the image "https://cdn.bad.invalid/x.jpg": could not fetch image (host not found)',
			'Failure when processing the image "": missing image_url',
			'Failure when processing the image "https://img.example.com/m.jpg": metadata must be an object',
		]);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['ok'],
		);
	});

	test("partialFailureStatus: 'Errored_Partial' by default, 'Errored' when set; a job where every item failed stays Errored_User", async () => {
		const ds = emu.createDataset('partial');
		const byDefault = await runPresigned(ds, mixed);
		assert.equal(byDefault.status, 'Errored_Partial');
		assert.match(byDefault.message.final_error, /did not process correctly/);
		emu.setPartialFailureStatus('Errored');
		try {
			const ds2 = emu.createDataset('partial2');
			const errored = await runPresigned(ds2, mixed);
			assert.equal(errored.status, 'Errored');
			assert.match(errored.message.final_error, /did not process correctly/);
			assert.equal(
				(await call(emu, 'GET', `job/${errored.job_id}/info`)).json.job_last_known_status,
				'Errored',
			);
			const allBad = await runPresigned(ds2, [{ reference_id: 'b1', image_url: 'ftp://x/1.jpg' }]);
			assert.equal(allBad.status, 'Errored_User');
			const good = await runPresigned(ds2, [
				{ reference_id: 'g1', image_url: 'https://img.example.com/g.jpg' },
			]);
			assert.equal(good.status, 'Completed');
		} finally {
			emu.setPartialFailureStatus('Errored_Partial');
		}
		const other = await startEmulator({ partialFailureStatus: 'Errored' });
		try {
			const d = other.createDataset('opt');
			const rec = await other.finishJob(other.createJob(d, mixed, { hold: true }).job_id);
			assert.equal(rec?.status, 'Errored');
		} finally {
			await other.close();
		}
	});

	test('control config route: GET, POST/PUT merge, 400 for an unknown key or value', async () => {
		assert.deepEqual((await call(emu, 'GET', '/__control/config')).json, {
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
			holdNewJobs: false,
		});
		const set = await call(emu, 'POST', '/__control/config', {
			syncAppend: 'removed',
			partialFailureStatus: 'Errored',
		});
		assert.equal(set.status, 200);
		assert.deepEqual(set.json, {
			syncAppend: 'removed',
			partialFailureStatus: 'Errored',
			holdNewJobs: false,
		});
		assert.deepEqual(emu.config(), set.json);
		const ds = emu.createDataset('cfg');
		const removed = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [{ reference_id: 'a', image_url: 'https://a.example.com/1.jpg' }],
		});
		assert.equal(removed.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
		assert.equal((await runPresigned(ds, mixed)).status, 'Errored');

		const badMode = await call(emu, 'POST', '/__control/config', { syncAppend: 'sometimes' });
		assert.equal(badMode.status, 400);
		assert.match(badMode.json.error, /syncAppend must be one of job, removed, legacy/);
		const badStatus = await call(emu, 'POST', '/__control/config', {
			partialFailureStatus: 'Completed',
		});
		assert.equal(badStatus.status, 400);
		const badKey = await call(emu, 'POST', '/__control/config', { sync_append: 'job' });
		assert.equal(badKey.status, 400);
		assert.match(badKey.json.error, /unknown config key "sync_append"/);
		assert.deepEqual(emu.config(), set.json, 'unchanged by refused requests');

		const hold = await call(emu, 'PUT', '/__control/config', {
			holdNewJobs: true,
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
		});
		assert.deepEqual(hold.json, {
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
			holdNewJobs: true,
		});
		const { items, images } = localItems(1, 'held');
		const jobId = assertAsyncJob(await postBatch(emu, ds, items, images), ds);
		await new Promise((r) => setTimeout(r, 50));
		assert.equal((await call(emu, 'GET', `job/${jobId}`)).json.status, 'Queued');
		await call(emu, 'POST', '/__control/config', { holdNewJobs: false });
		assert.equal((await emu.finishJob(jobId))?.status, 'Completed');
		assert.throws(() => emu.setConfig({ syncAppend: 'x' as never }), /syncAppend must be one of/);
	});
});

describe('emulator: presigned upload and jobs', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator({ jobSpeed: 0.25 });
	});
	after(() => emu.close());

	test('signed URL PUT: Authorization header is a 400, chunked is a 501, unknown token or bad signature a 403', async () => {
		const ds = emu.createDataset('s3');
		const su = await call(emu, 'GET', `dataset/${ds}/signedUrl/${'a'.repeat(32)}`);
		const url: string = su.json.signed_url;
		assert.ok(url.startsWith(`${emu.origin}/__storage/`));
		assert.match(url, /X-Amz-Signature=/);
		const withAuth = await fetch(url, {
			method: 'PUT',
			body: '{}\n',
			headers: { authorization: basic(KEY) },
		});
		assert.equal(withAuth.status, 400);
		assert.match(await withAuth.text(), /Only one auth mechanism allowed/);
		const chunked = await fetch(url, {
			method: 'PUT',
			body: Readable.toWeb(Readable.from([Buffer.from('{}\n')])) as ReadableStream,
			duplex: 'half',
		} as RequestInit);
		assert.equal(chunked.status, 501);
		assert.match(await chunked.text(), /Transfer-Encoding/);
		const unknown = await fetch(
			`${emu.origin}/__storage/deadbeef/${'a'.repeat(32)}.ndjson?X-Amz-Signature=x`,
			{ method: 'PUT', body: '{}\n' },
		);
		assert.equal(unknown.status, 403);
		const badSig = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00'), {
			method: 'PUT',
			body: '{}\n',
		});
		assert.equal(badSig.status, 403);
		assert.equal(emu.stats().storagePuts, 0);
	});

	test('expired signed URL is a 403', async () => {
		const short = await startEmulator({ signedUrlTtlMs: 30 });
		try {
			const ds = short.createDataset('exp');
			const su = await call(short, 'GET', `dataset/${ds}/signedUrl/${'b'.repeat(32)}`);
			await new Promise((r) => setTimeout(r, 60));
			const put = await fetch(su.json.signed_url, { method: 'PUT', body: '{}\n' });
			assert.equal(put.status, 403);
			assert.match(await put.text(), /expired/);
		} finally {
			await short.close();
		}
	});

	test('append?async=1: 400 for an unknown requestId and for one never uploaded', async () => {
		const ds = emu.createDataset('async-bad');
		const unknown = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: 'f'.repeat(32),
			update: false,
		});
		assert.equal(unknown.status, 400);
		assert.match(unknown.json.error, /Unknown requestId/);
		await call(emu, 'GET', `dataset/${ds}/signedUrl/${'c'.repeat(32)}`);
		const notUploaded = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: 'c'.repeat(32),
			update: false,
		});
		assert.equal(notUploaded.status, 400);
		assert.match(notUploaded.json.error, /Nothing was uploaded/);
	});

	test('async job: Queued -> Running with per-batch progress -> Errored_Partial; errors list the failed items', async () => {
		const ds = emu.createDataset('async');
		const n = 2 * IMAGE_BATCH_SIZE + 500;
		const items = Array.from({ length: n }, (_, i) => ({
			reference_id: `r${i}`,
			image_url:
				i % 100 === 7
					? `https://img${i}.example.invalid/${i}.jpg`
					: `https://img.example.com/${i}.jpg`,
			metadata: { i },
		}));
		emu.setHoldNewJobs(true);
		const requestId = await presignedUpload(emu, ds, ndjson(items));
		const acc = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId,
			update: false,
		});
		emu.setHoldNewJobs(false);
		assert.equal(acc.status, 200);
		assert.equal(acc.json.job_last_known_status, 'Queued');
		assert.equal(acc.json.job_type, 'uploadDatasetItems');
		assert.equal(acc.json.dataset_id, ds);
		assert.ok(!Number.isNaN(Date.parse(acc.json.job_creation_time)));
		const jobId: string = acc.json.job_id;
		assert.match(jobId, /^job_/);

		const queued = await call(emu, 'GET', `job/${jobId}`);
		assert.equal(queued.json.status, 'Queued');
		assert.equal(queued.json.job_progress, '0.00');
		assert.equal(emu.itemCount(ds), 0);
		emu.startJob(jobId);

		const observed: Array<{ status: string; steps: number; progress: string }> = [];
		let final: any;
		for (let i = 0; i < 2000; i++) {
			const r = await call(emu, 'GET', `job/${jobId}`);
			const last = observed[observed.length - 1];
			if (!last || last.status !== r.json.status || last.steps !== r.json.completed_steps) {
				observed.push({
					status: r.json.status,
					steps: r.json.completed_steps,
					progress: r.json.job_progress,
				});
			}
			if (!['Queued', 'Running'].includes(r.json.status)) {
				final = r.json;
				break;
			}
			await new Promise((res) => setTimeout(res, 15));
		}
		assert.ok(final, 'job finished');
		assert.equal(final.status, 'Errored_Partial');
		assert.equal(final.total_steps, 4); // ingest + 3 image batches
		assert.equal(final.completed_steps, 4);
		assert.equal(final.job_progress, '1.00');
		const failed = items.filter((_, i) => i % 100 === 7).length;
		assert.deepEqual(final.message.image_upload_step, {
			errored: failed,
			pending: 0,
			completed: n - failed,
		});
		assert.equal(final.message.ingest_to_reupload_queue.total, n);
		assert.equal(final.message.ingest_to_reupload_queue.processed, n);
		assert.equal(final.message.ingest_to_reupload_queue.datasetId, ds);
		assert.match(final.message.final_error, /did not process correctly/);
		// seen over HTTP: Running with intermediate progress
		const running = observed.filter((o) => o.status === 'Running');
		assert.ok(
			running.some((o) => o.steps > 0 && o.steps < 4),
			JSON.stringify(observed),
		);
		for (let i = 1; i < observed.length; i++) assert.ok(observed[i].steps >= observed[i - 1].steps);
		// recorded per batch
		const hist = emu
			.getJob(jobId)!
			.history.filter((h) => h.status === 'Running')
			.map((h) => h.completed + h.errored);
		assert.deepEqual([...new Set(hist)], [0, 3000, 6000, n]);

		const errors = await call(emu, 'GET', `job/${jobId}/errors`);
		assert.equal(errors.json.length, failed);
		assert.equal(
			errors.json[0],
			'Failure when processing the image "https://img7.example.invalid/7.jpg": could not fetch image (host not found)',
		);
		assert.equal(emu.itemCount(ds), n - failed);
		assert.equal(emu.getItem(ds, 'r7'), undefined);
		const info = await call(emu, 'GET', `job/${jobId}/info`);
		assert.deepEqual(info.json, {
			job_id: jobId,
			job_last_known_status: 'Errored_Partial',
			job_type: 'uploadDatasetItems',
			job_creation_time: acc.json.job_creation_time,
			dataset_id: ds,
		});
		assert.equal((await call(emu, 'GET', 'job/job_nope')).status, 404);
	});

	test('async job: all good -> Completed; re-upload with update=true updates; duplicates in one file fail the later copy', async () => {
		const ds = emu.createDataset('async2');
		const items = [
			{ reference_id: 'k1', image_url: 'https://a.example.com/1.jpg', metadata: { v: 1 } },
			{ reference_id: 'k2', image_url: 'https://a.example.com/2.jpg', metadata: { v: 1 } },
		];
		const j1 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, ndjson(items)),
			update: false,
		});
		const f1 = await waitFinal(emu, j1.json.job_id);
		assert.equal(f1.status, 'Completed');
		assert.equal(f1.job_progress, '1.00');
		assert.deepEqual(
			await call(emu, 'GET', `job/${j1.json.job_id}/errors`).then((r) => r.json),
			[],
		);

		const again = [
			{ reference_id: 'k1', image_url: 'https://a.example.com/1.jpg', metadata: { v: 2 } },
			{ reference_id: 'k1', image_url: 'https://a.example.com/1b.jpg', metadata: { v: 3 } },
		];
		const j2 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, ndjson(again)),
			update: true,
		});
		const f2 = await waitFinal(emu, j2.json.job_id);
		assert.equal(f2.status, 'Errored_Partial');
		assert.deepEqual(emu.getItem(ds, 'k1')?.metadata, { v: 2 });
		const errs = (await call(emu, 'GET', `job/${j2.json.job_id}/errors`)).json;
		assert.equal(errs.length, 1);
		assert.equal(
			errs[0],
			'Failure when processing the image "https://a.example.com/1b.jpg": duplicate reference_id in this upload',
		);
		assert.equal(emu.getJob(j2.json.job_id)?.updatedItems, 1);
	});

	test('async job: bad NDJSON ends Errored_User and applies nothing', async () => {
		const ds = emu.createDataset('async-badjson');
		const body =
			JSON.stringify({ reference_id: 'z1', image_url: 'https://a.example.com/1.jpg' }) +
			'\n{not json\n';
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, body),
			update: false,
		});
		const f = await waitFinal(emu, j.json.job_id);
		assert.equal(f.status, 'Errored_User');
		assert.match(f.message.final_error, /line 2/);
		assert.equal(emu.itemCount(ds), 0);
		// all items failing is Errored_User too
		const allBad = ndjson([{ reference_id: 'b1', image_url: 'ftp://x/1.jpg' }]);
		const j2 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, allBad),
			update: false,
		});
		assert.equal((await waitFinal(emu, j2.json.job_id)).status, 'Errored_User');
	});

	test('100,000 items stream through PUT and one job', async () => {
		const ds = emu.createDataset('100k');
		const requestId = 'e'.repeat(32);
		const su = await call(emu, 'GET', `dataset/${ds}/signedUrl/${requestId}`);
		const N = 100_000;
		const line = (i: number): string =>
			JSON.stringify({
				reference_id: `ref-${String(i).padStart(6, '0')}`,
				image_url: `https://img.example.com/${String(i).padStart(6, '0')}.jpg`,
				metadata: { i: String(i).padStart(6, '0') },
			}) + '\n';
		const length = Buffer.byteLength(line(0)) * N;
		async function* gen(): AsyncGenerator<Buffer> {
			let buf = '';
			for (let i = 0; i < N; i++) {
				buf += line(i);
				if (buf.length > 64 * 1024) {
					yield Buffer.from(buf);
					buf = '';
				}
			}
			if (buf) yield Buffer.from(buf);
		}
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(su.json.signed_url, {
				method: 'PUT',
				headers: { 'content-length': String(length) },
			});
			req.on('response', (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			Readable.from(gen()).pipe(req);
		});
		assert.equal(status, 200);
		emu.resetStats();
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
		assertAsyncJob(j, ds);
		assert.equal(emu.stats().appendRequestsByForm.presigned, 1);
		assert.equal(emu.stats().appendItemsReceived, N);
		const rec = await emu.finishJob(j.json.job_id);
		assert.equal(rec?.appendForm, 'presigned');
		assert.equal(rec?.status, 'Completed');
		assert.equal(rec?.total, N);
		assert.equal(emu.itemCount(ds), N);
		assert.deepEqual(emu.getItem(ds, 'ref-099999')?.metadata, { i: '099999' });
	});
});

describe('emulator: POST jobs/ filters and control-created jobs', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	test('filters by dataset, job type, show_completed, dates (inclusive days) and limit; newest first', async () => {
		const a = emu.createDataset('A');
		const b = emu.createDataset('B');
		const j1 = emu.createJob(a, [], { status: 'Completed', createdAt: '2024-01-10T08:00:00Z' });
		const j2 = emu.createJob(a, [], {
			status: 'Running',
			jobType: 'metadataUpdate',
			createdAt: '2024-01-15T08:00:00Z',
		});
		const j3 = emu.createJob(b, [], {
			status: 'Errored_Partial',
			createdAt: '2024-01-20T23:30:00Z',
		});
		const ids = (r: Res): string[] => r.json.map((j: { job_id: string }) => j.job_id);
		const list = (body: Record<string, unknown>): Promise<Res> =>
			call(emu, 'POST', 'jobs/', {
				dataset_id: null,
				from_date: null,
				to_date: null,
				job_types: [],
				limit: 50000,
				show_completed: false,
				...body,
			});

		assert.deepEqual(ids(await list({ dataset_id: a })), [j2.job_id]);
		assert.deepEqual(ids(await list({ dataset_id: a, show_completed: true })), [
			j2.job_id,
			j1.job_id,
		]);
		assert.deepEqual(
			ids(await list({ dataset_id: a, show_completed: true, job_types: ['uploadDatasetItems'] })),
			[j1.job_id],
		);
		assert.deepEqual(
			ids(await list({ show_completed: true, from_date: '2024-01-12', to_date: '2024-01-20' })),
			[j3.job_id, j2.job_id],
		);
		assert.deepEqual(ids(await list({ show_completed: true, to_date: '2024-01-10' })), [j1.job_id]);
		assert.deepEqual(ids(await list({ show_completed: true, limit: 1 })), [j3.job_id]);
		const first = (await list({ dataset_id: b })).json[0];
		assert.deepEqual(first, {
			job_id: j3.job_id,
			job_last_known_status: 'Errored_Partial',
			job_type: 'uploadDatasetItems',
			job_creation_time: '2024-01-20T23:30:00.000Z',
			dataset_id: b,
		});
		assert.equal((await list({ limit: 50001 })).status, 400);
		assert.equal((await list({ from_date: 'yesterday-ish' })).status, 400);
	});

	test('control API: datasets, jobs (hold, finish, status), items, stats', async () => {
		const ds = (await call(emu, 'POST', '/__control/datasets', { name: 'ctl' })).json
			.dataset_id as string;
		assert.match(ds, /^ds_/);
		const created = await call(emu, 'POST', '/__control/jobs', {
			dataset_id: ds,
			items: [
				{ reference_id: 'c1', image_url: 'https://a.example.com/1.jpg', metadata: {} },
				{ reference_id: 'c2', image_url: 'https://x.invalid/2.jpg', metadata: {} },
			],
			hold: true,
		});
		assert.equal(created.status, 200);
		const jobId: string = created.json.job_id;
		assert.equal((await call(emu, 'GET', `job/${jobId}`)).json.status, 'Queued');
		const fin = await call(emu, 'POST', `/__control/jobs/${jobId}/finish`);
		assert.equal(fin.json.status, 'Errored_Partial');
		const items = await call(emu, 'GET', `/__control/datasets/${ds}/items`);
		assert.deepEqual(
			items.json.map((i: { reference_id: string }) => i.reference_id),
			['c1'],
		);

		const running = await call(emu, 'POST', '/__control/jobs', {
			dataset_id: ds,
			status: 'Running',
		});
		const rid: string = running.json.job_id;
		assert.equal((await call(emu, 'GET', `job/${rid}`)).json.status, 'Running');
		const cancelled = await call(emu, 'POST', `/__control/jobs/${rid}/status`, {
			status: 'Cancelled',
		});
		assert.equal(cancelled.json.status, 'Cancelled');
		assert.equal((await call(emu, 'GET', `job/${rid}`)).json.status, 'Cancelled');

		// GET job/{id}/errors keeps the most recent 10,000
		const many = Array.from({ length: 10_050 }, (_, i) => ({
			reference_id: `m${i}`,
			image_url: `ftp://x/${i}.jpg`,
		}));
		const big = emu.createJob(ds, many, { hold: true });
		const done = await emu.finishJob(big.job_id);
		assert.equal(done?.status, 'Errored_User');
		assert.equal(done?.errorCount, 10_050);
		const errs = (await call(emu, 'GET', `job/${big.job_id}/errors`)).json as string[];
		assert.equal(errs.length, 10_000);
		assert.equal(
			errs[0],
			'Failure when processing the image "ftp://x/50.jpg": unsupported scheme "ftp"',
		);
		assert.equal(
			errs[9_999],
			'Failure when processing the image "ftp://x/10049.jpg": unsupported scheme "ftp"',
		);

		const stats = await call(emu, 'GET', '/__control/stats');
		assert.ok(stats.json.requests > 0);
		assert.ok(stats.json.byRoute['GET job/:id'] >= 3);
		await call(emu, 'DELETE', '/__control/stats');
		assert.equal(emu.stats().requests, 0);
	});
});

describe('emulator: faults', () => {
	let emu: Emulator;
	let ds: string;
	// One local item in the current form (api §3.2).
	const item = (ref: string): FormData =>
		batchForm(
			[{ reference_id: ref, image_url: `${ref}.png`, metadata: {}, update: false }],
			[{ data: Buffer.from('png'), filename: `${ref}.png` }],
		);
	before(async () => {
		emu = await startEmulator();
		ds = emu.createDataset('faults');
	});
	after(() => emu.close());

	test('429 with Retry-After, and the append is not applied', async () => {
		emu.resetStats();
		emu.setFaults({ rate429: 1, retryAfterS: 3 });
		const r = await postForm(emu, ds, item('f429'));
		emu.resetFaults();
		assert.equal(r.status, 429);
		assert.equal(r.headers.get('retry-after'), '3');
		assert.equal(r.json.status_code, 429);
		assert.equal(emu.getItem(ds, 'f429'), undefined);
		assert.equal(emu.stats().faultsInjected.r429, 1);
		assert.equal(emu.stats().appendRequests, 1);
		assert.equal(
			emu.stats().appendRequestsByForm.multipartBatch,
			0,
			'the faulted body was never read',
		);
		assert.equal(emu.stats().jobsCreated, 0);
		const ok = await postForm(emu, ds, item('f429'));
		assert.equal((await emu.finishJob(assertAsyncJob(ok, ds)))?.status, 'Completed');
		assert.equal(emu.getItem(ds, 'f429')?.image?.sha256, sha(Buffer.from('png')));
	});

	test('5xx alternate 503 and 504; nothing applied', async () => {
		emu.resetStats();
		emu.setFaults({ rate5xx: 1 });
		const s1 = await postForm(emu, ds, item('f5xx'));
		const s2 = await call(emu, 'GET', 'dataset/details');
		emu.resetFaults();
		assert.deepEqual([s1.status, s2.status].sort(), [503, 504]);
		assert.equal(emu.getItem(ds, 'f5xx'), undefined);
		assert.equal(emu.stats().faultsInjected.r5xx, 2);
	});

	test('dropped connection: the request fails without a response and nothing is applied', async () => {
		emu.resetStats();
		emu.setFaults({ rateDrop: 1 });
		await assert.rejects(postForm(emu, ds, item('fdrop')));
		emu.resetFaults();
		assert.equal(emu.getItem(ds, 'fdrop'), undefined);
		assert.equal(emu.stats().faultsInjected.dropped, 1);
	});

	test('slow: the response comes after slowMs and succeeds', async () => {
		emu.resetStats();
		emu.setFaults({ rateSlow: 1, slowMs: 150 });
		const t0 = Date.now();
		const r = await call(emu, 'GET', 'dataset/details');
		const elapsed = Date.now() - t0;
		emu.resetFaults();
		assert.equal(r.status, 200);
		assert.ok(elapsed >= 140, `elapsed ${elapsed}`);
		assert.equal(emu.stats().faultsInjected.slow, 1);
	});

	test('routes limits faults; control and storage are untouched by default; same seed gives the same sequence', async () => {
		emu.setFaults({ rate429: 1, routes: /\/append$/ });
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		assert.equal((await postForm(emu, ds, item('froute'))).status, 429);
		emu.setFaults({ routes: undefined });
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 429);
		assert.equal((await call(emu, 'GET', '/__control/stats')).status, 200);
		emu.resetFaults();

		const run = async (): Promise<number[]> => {
			emu.setFaults({ rate429: 0.3, rate5xx: 0.3, seed: 42 });
			const out: number[] = [];
			for (let i = 0; i < 12; i++) out.push((await call(emu, 'GET', 'dataset/details')).status);
			emu.resetFaults();
			return out;
		};
		const a = await run();
		assert.deepEqual(await run(), a);
		assert.ok(a.includes(200) && a.some((s) => s !== 200), a.join(','));
	});

	test('control API sets and clears faults (routes as a string)', async () => {
		const set = await call(emu, 'POST', '/__control/faults', {
			rate429: 1,
			retryAfterS: 2,
			routes: 'details',
		});
		assert.equal(set.status, 200);
		assert.equal(set.json.routes, 'details');
		const r = await call(emu, 'GET', 'dataset/details');
		assert.equal(r.status, 429);
		assert.equal(r.headers.get('retry-after'), '2');
		assert.equal((await call(emu, 'DELETE', '/__control/faults')).status, 200);
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		assert.equal((await call(emu, 'POST', '/__control/faults', { rate429: 2 })).status, 400);
	});

	test('outage: connections are refused, then the API comes back on the same port', async () => {
		const r = await call(emu, 'POST', '/__control/outage', { ms: 300 });
		assert.equal(r.status, 200);
		await new Promise((res) => setTimeout(res, 30));
		const err = await call(emu, 'GET', 'dataset/details').then(
			() => undefined,
			(e: Error & { cause?: { code?: string } }) => e,
		);
		assert.ok(err, 'request during the outage fails');
		assert.equal(err.cause?.code, 'ECONNREFUSED');
		let back = 0;
		for (let i = 0; i < 100 && back !== 200; i++) {
			await new Promise((res) => setTimeout(res, 50));
			back = await call(emu, 'GET', 'dataset/details').then(
				(x) => x.status,
				() => 0,
			);
		}
		assert.equal(back, 200);
		// reset mode, in process
		const done = emu.outage(200, 'reset');
		await assert.rejects(call(emu, 'GET', 'dataset/details'));
		await done;
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
	});
});

describe('emulator: realistic profile', () => {
	test('the 33rd concurrent request per key gets 429 with Retry-After: 1', async () => {
		const emu = await startEmulator({ profile: 'realistic', overrides: { latencyMs: 400 } });
		try {
			assert.equal(emu.settings.maxInFlightPerKey, 32);
			const results = await Promise.all(
				Array.from({ length: 40 }, () => call(emu, 'GET', 'dataset/details')),
			);
			const limited = results.filter((r) => r.status === 429);
			assert.equal(limited.length, 8);
			for (const r of limited) assert.equal(r.headers.get('retry-after'), '1');
			assert.equal(results.filter((r) => r.status === 200).length, 32);
			const s = emu.stats();
			assert.equal(s.inFlightPeak, 32);
			assert.equal(s.limited429, 8);
			assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		} finally {
			await emu.close();
		}
	});
});

describe('emulator: CLI', () => {
	test('prints base URL, key and datasets as one JSON line, serves, and exits on SIGTERM', async () => {
		const root = join(__dirname, '..', '..');
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				'test/emulator/cli.ts',
				'--port',
				'0',
				'--dataset',
				'd1',
				'--api-key',
				'cli_key_123',
			],
			{
				cwd: root,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const exited = new Promise<number | null>((resolve) =>
			child.on('exit', (code) => resolve(code)),
		);
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let buf = '';
				child.stdout.on('data', (d: Buffer) => {
					buf += d.toString();
					const nl = buf.indexOf('\n');
					if (nl >= 0) resolve(buf.slice(0, nl));
				});
				child.on('exit', () => reject(new Error('cli exited early')));
			});
			const info = JSON.parse(line);
			assert.match(info.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1\/nucleus$/);
			assert.equal(info.apiKey, 'cli_key_123');
			assert.match(info.datasets.d1, /^ds_/);
			const r = await fetch(`${info.baseUrl}/dataset/details`, {
				headers: { authorization: basic('cli_key_123') },
			});
			assert.deepEqual(await r.json(), [{ id: info.datasets.d1, name: 'd1', is_public: false }]);
		} finally {
			child.kill('SIGTERM');
		}
		assert.equal(await exited, 0);
	});

	test('--sync-append and --partial-status set the config; a bad value exits 2', async () => {
		const root = join(__dirname, '..', '..');
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				'test/emulator/cli.ts',
				'--port',
				'0',
				'--dataset',
				'd1',
				'--sync-append',
				'removed',
				'--partial-status=Errored',
			],
			{
				cwd: root,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		const exited = new Promise<number | null>((resolve) =>
			child.on('exit', (code) => resolve(code)),
		);
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let buf = '';
				child.stdout.on('data', (d: Buffer) => {
					buf += d.toString();
					const nl = buf.indexOf('\n');
					if (nl >= 0) resolve(buf.slice(0, nl));
				});
				child.on('exit', () => reject(new Error('cli exited early')));
			});
			const info = JSON.parse(line);
			assert.equal(info.syncAppend, 'removed');
			assert.equal(info.partialFailureStatus, 'Errored');
			const r = await fetch(`${info.baseUrl}/dataset/${info.datasets.d1}/append`, {
				method: 'POST',
				headers: { authorization: basic(info.apiKey), 'content-type': 'application/json' },
				body: JSON.stringify({
					items: [{ reference_id: 'a', image_url: 'https://a.example.com/1.jpg' }],
					update: false,
				}),
			});
			assert.equal(r.status, 400);
			assert.deepEqual(await r.json(), { error: SYNC_UPLOAD_REMOVED_MESSAGE, status_code: 400 });
		} finally {
			child.kill('SIGTERM');
		}
		assert.equal(await exited, 0);
		const bad = spawn(
			process.execPath,
			['--import', 'tsx', 'test/emulator/cli.ts', '--port', '0', '--sync-append', 'maybe'],
			{ cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
		);
		let err = '';
		bad.stderr.on('data', (d: Buffer) => (err += d.toString()));
		assert.equal(
			await new Promise<number | null>((resolve) => bad.on('exit', (code) => resolve(code))),
			2,
		);
		assert.match(err, /--sync-append must be one of job, removed, legacy/);
	});
});
