/**
 * The current local form: a multipart batch to `append?async=1` (routes/append.ts, multipart.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import FormData from 'form-data';
import { startEmulator, MAX_LOCAL_FILES_PER_REQUEST, type Emulator } from '..';
import {
	KEY,
	basic,
	call,
	sha,
	batchForm,
	postForm,
	postBatch,
	localItems,
	assertAsyncJob,
} from './client';

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
