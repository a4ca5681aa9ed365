/**
 * Auth (http.ts), datasets and items (routes/datasets.ts, routes/items.ts) over HTTP.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '..';
import { call, seed } from './client';

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
