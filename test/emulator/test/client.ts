/**
 * Calls to the emulator over HTTP for its own tests: requests with the Basic key, the append forms
 * (presigned NDJSON, multipart batch) and the AsyncJob answer they share.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import FormData from 'form-data';
import type { Emulator } from '..';

export const KEY = 'test_emulator_key_0123456789';
export const basic = (key: string): string => 'Basic ' + Buffer.from(`${key}:`).toString('base64');

export interface Res {
	status: number;
	headers: Headers;
	text: string;
	json: any;
}

export async function call(
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

export function sha(buf: Buffer): string {
	return createHash('sha256').update(buf).digest('hex');
}

export function ndjson(items: unknown[]): string {
	return items.map((i) => JSON.stringify(i)).join('\n') + '\n';
}

export async function presignedUpload(
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

export async function waitFinal(emu: Emulator, jobId: string): Promise<any> {
	for (let i = 0; i < 1000; i++) {
		const r = await call(emu, 'GET', `job/${jobId}`);
		if (!['Queued', 'Running'].includes(r.json.status)) return r.json;
		await new Promise((res) => setTimeout(res, 10));
	}
	throw new Error('job did not finish');
}

/** Seed a dataset through the presigned flow (the SDK's `serialize_and_write_to_presigned_url`) and wait for the job. */
export async function seed(emu: Emulator, ds: string, items: unknown[]): Promise<void> {
	const requestId = await presignedUpload(emu, ds, ndjson(items));
	const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
	assert.equal(j.status, 200, j.text);
	const rec = await emu.finishJob(j.json.job_id);
	assert.equal(rec?.status, 'Completed');
}

export interface Img {
	data: Buffer;
	/** Sent as the part's filename exactly (form-data's `filepath`, so "/" is kept). */
	filename: string;
	contentType?: string;
}

/** The current local form (the SDK's `upload_local_async`): one `items` part (no filename) + one `image` part per item. */
export function batchForm(
	items: unknown,
	images: Img[],
	opts: { itemsPart?: string } = {},
): FormData {
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

export function postForm(
	emu: Emulator,
	ds: string,
	form: FormData,
	query = '?async=1',
): Promise<Res> {
	return call(emu, 'POST', `dataset/${ds}/append${query}`, undefined, {
		raw: form.getBuffer(),
		headers: form.getHeaders(),
	});
}

export function postBatch(
	emu: Emulator,
	ds: string,
	items: unknown,
	images: Img[],
	query = '?async=1',
): Promise<Res> {
	return postForm(emu, ds, batchForm(items, images), query);
}

/** `n` local items with distinct random images; filenames percent-encoded as the SDK sends them. */
export function localItems(
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

/** The AsyncJob answer of every append form (the SDK's `AsyncJob.from_json`). */
export function assertAsyncJob(r: Res, ds: string): string {
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(Object.keys(r.json).sort(), JOB_KEYS);
	assert.match(r.json.job_id, /^job_/);
	assert.equal(r.json.job_last_known_status, 'Queued');
	assert.equal(r.json.job_type, 'uploadDatasetItems');
	assert.equal(r.json.dataset_id, ds);
	assert.ok(!Number.isNaN(Date.parse(r.json.job_creation_time)));
	return r.json.job_id;
}
