/**
 * The emulator's metadata update (`POST dataset/{id}/metadata?async=0|1`) and `iloc` routes, over
 * HTTP in the SDK's forms (rules.ts METADATA UPDATES and ILOC).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	MAX_SYNC_METADATA_ITEMS,
	METADATA_JOB_TYPE,
	metadataErrorText,
	startEmulator,
	type Emulator,
} from '..';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

interface Res {
	status: number;
	json: any;
}

async function call(method: string, route: string, body?: unknown): Promise<Res> {
	const headers: Record<string, string> = {
		authorization: 'Basic ' + Buffer.from(`${emu.apiKey}:`).toString('base64'),
	};
	if (body !== undefined) headers['content-type'] = 'application/json';
	const r = await fetch(`${emu.baseUrl}/${route}`, {
		method,
		headers,
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await r.text();
	return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

/** A dataset holding `refs`, each with metadata `{ split: 'train', n: <index> }`. */
async function seeded(refs: string[]): Promise<string> {
	const ds = emu.createDataset('metadata-routes');
	const job = emu.createJob(
		ds,
		refs.map((ref, n) => ({
			reference_id: ref,
			image_url: `s3://bucket/${ref}.jpg`,
			metadata: { split: 'train', n },
		})),
	);
	await emu.finishJob(job.job_id);
	return ds;
}

const update = (entries: Array<[string, Record<string, unknown>]>) => ({
	metadata: entries.map(([reference_id, metadata]) => ({ reference_id, metadata })),
	level: 'item',
});

describe('POST dataset/{id}/metadata', () => {
	test('synchronous: keys are merged (a sent key wins, the others stay) and iloc reads it back', async () => {
		const ds = await seeded(['a', 'b']);
		const r = await call(
			'POST',
			`dataset/${ds}/metadata?async=0`,
			update([
				['a', { split: 'val', reviewed: true }],
				['missing', { split: 'val' }],
			]),
		);
		assert.equal(r.status, 200);
		assert.deepEqual(r.json, {
			dataset_id: ds,
			updated_items: 1,
			failed_items: 1,
			errors: [
				'Failed to update the metadata of the item with reference_id "missing": the item does not exist in this dataset',
			],
		});
		const a = await call('GET', `dataset/${ds}/iloc/0`);
		assert.equal(a.status, 200);
		assert.deepEqual(a.json.item.metadata, { split: 'val', n: 0, reviewed: true });
		assert.equal(a.json.item.reference_id, 'a');
		assert.deepEqual(a.json.annotations, {});
		assert.deepEqual((await call('GET', `dataset/${ds}/iloc/1`)).json.item.metadata, {
			split: 'train',
			n: 1,
		});
		assert.equal(emu.getItem(ds, 'a')?.metadataUpdates, 1);
		assert.equal(emu.itemCount(ds), 2);
	});

	test('a metadata key changing type fails that entry, as on append; the other entries apply', async () => {
		const ds = await seeded(['a', 'b']);
		const r = await call(
			'POST',
			`dataset/${ds}/metadata?async=0`,
			update([
				['a', { n: 'seven' }],
				['b', { n: 7, score: 0.5 }],
			]),
		);
		assert.deepEqual(r.json.errors, [
			metadataErrorText('a', 'metadata key "n" is a string but the dataset stores number'),
		]);
		assert.deepEqual(emu.getItem(ds, 'a')?.metadata, { split: 'train', n: 0 });
		assert.deepEqual(emu.getItem(ds, 'b')?.metadata, { split: 'train', n: 7, score: 0.5 });
		// "score" is now recorded as a number for the dataset.
		const again = await call('POST', `dataset/${ds}/metadata`, update([['a', { score: 'high' }]]));
		assert.equal(again.json.failed_items, 1);
		assert.match(again.json.errors[0], /"score" is a string but the dataset stores number/);
	});

	test('asynchronous: one metadataUpdate job that merges in order and lists failures', async () => {
		const refs = Array.from({ length: 1200 }, (_, i) => `r${i}`);
		const ds = await seeded(refs);
		const r = await call(
			'POST',
			`dataset/${ds}/metadata?async=1`,
			update([
				...refs.map((ref): [string, Record<string, unknown>] => [ref, { tag: 'x' }]),
				['nope', { tag: 'x' }],
			]),
		);
		assert.equal(r.status, 200);
		assert.deepEqual(Object.keys(r.json).sort(), [
			'dataset_id',
			'job_creation_time',
			'job_id',
			'job_last_known_status',
			'job_type',
		]);
		assert.equal(r.json.job_type, METADATA_JOB_TYPE);
		assert.equal(r.json.job_last_known_status, 'Queued');
		const rec = await emu.waitForJob(r.json.job_id);
		assert.equal(rec?.status, 'Errored_Partial');
		assert.equal(rec?.updatedItems, 1200);
		assert.deepEqual((await call('GET', `job/${r.json.job_id}/errors`)).json, [
			metadataErrorText('nope', 'the item does not exist in this dataset'),
		]);
		const status = await call('GET', `job/${r.json.job_id}`);
		assert.deepEqual(status.json.message.metadata_update_step, {
			errored: 1,
			pending: 0,
			completed: 1200,
		});
		assert.deepEqual(emu.getItem(ds, 'r1199')?.metadata, { split: 'train', n: 1199, tag: 'x' });
		const listed = await call('POST', 'jobs/', {
			dataset_id: ds,
			job_types: [METADATA_JOB_TYPE],
			show_completed: true,
		});
		assert.deepEqual(
			listed.json.map((j: { job_id: string }) => j.job_id),
			[r.json.job_id],
		);
	});

	test(`more than ${MAX_SYNC_METADATA_ITEMS} entries synchronously, and malformed bodies, are 400s that apply nothing`, async () => {
		const refs = Array.from({ length: MAX_SYNC_METADATA_ITEMS + 1 }, (_, i) => `r${i}`);
		const ds = await seeded(refs);
		const tooMany = await call(
			'POST',
			`dataset/${ds}/metadata?async=0`,
			update(refs.map((ref) => [ref, { tag: 'x' }])),
		);
		assert.equal(tooMany.status, 400);
		assert.match(tooMany.json.error, /too large to perform it synchronously \(501 > 500\)/);
		const bad: Array<[unknown, RegExp]> = [
			[{ metadata: [], level: 'item' }, /non-empty list/],
			[
				{ metadata: [{ reference_id: 'r0', metadata: [1] }], level: 'item' },
				/metadata\[0\]\.metadata must be an object/,
			],
			[{ metadata: [{ metadata: {} }], level: 'item' }, /reference_id must be a non-empty string/],
			[
				update([
					['r0', { a: 1 }],
					['r0', { a: 2 }],
				]),
				/appears twice/,
			],
			[{ ...update([['r0', { a: 1 }]]), level: 'scene' }, /scene/],
		];
		for (const [body, message] of bad) {
			const r = await call('POST', `dataset/${ds}/metadata?async=0`, body);
			assert.equal(r.status, 400, JSON.stringify(body));
			assert.match(r.json.error, message);
		}
		assert.deepEqual(emu.getItem(ds, 'r0')?.metadata, { split: 'train', n: 0 });
		assert.equal(
			(await call('POST', 'dataset/ds_unknown/metadata', update([['a', {}]]))).status,
			404,
		);
	});
});

describe('GET dataset/{id}/iloc/{i}', () => {
	test('follows insertion order; past the end is a 404, a non-number a 400', async () => {
		const ds = await seeded(['first', 'second', 'third']);
		assert.equal((await call('GET', `dataset/${ds}/iloc/2`)).json.item.reference_id, 'third');
		const past = await call('GET', `dataset/${ds}/iloc/3`);
		assert.equal(past.status, 404);
		assert.match(past.json.error, /No item at index 3 .* \(it has 3\)/);
		assert.equal((await call('GET', `dataset/${ds}/iloc/-1`)).status, 400);
		assert.equal((await call('GET', `dataset/${ds}/iloc/1.5`)).status, 400);
	});
});
