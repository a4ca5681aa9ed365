/**
 * The pre-2026 synchronous append forms (routes/append.ts) with syncAppend 'legacy': the v0.18.8 answers with counts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import FormData from 'form-data';
import { startEmulator, type Emulator } from '..';
import { type Res, call, sha } from './client';

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
