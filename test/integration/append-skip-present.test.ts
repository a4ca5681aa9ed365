/**
 * Append's "Skip Items Already in Dataset" against the emulator: the dataset is listed first and
 * the items it already holds are not sent, but come out paired to their input as `already_present`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INode, INodeParameters } from 'n8n-workflow';

import { referenceIdsInDataset } from '../../nodes/ScaleNucleus/actions/datasetItem/append/skipPresent';
import { NucleusClient } from '../../nodes/shared/transport';
import { startEmulator, type Emulator } from '../emulator';
import { capturedLogEntries, clearCapturedLogs, makeBinaryItem } from '../harness';
import { appendParams, json, runScale } from './scale-nucleus';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

const LIST_ROUTE = 'POST dataset/:id/itemsPage';

const images = (refs: string[]) =>
	Promise.all(
		refs.map((ref) =>
			makeBinaryItem(Buffer.from(`image ${ref}`), `${ref}.png`, 'image/png', { ref }),
		),
	);
const localParams = (ds: string, options: INodeParameters = {}, extra: INodeParameters = {}) =>
	appendParams(ds, {
		mode: 'local',
		imageSource: 'binary',
		options: { pollInterval: 0.1, ...options },
		...extra,
	});
const refs = (from: number, to: number) =>
	Array.from({ length: to - from }, (_, i) => `r-${from + i}`);

/** A dataset already holding r-0 … r-(n-1), appended by the node itself. */
async function prefilled(name: string, n: number): Promise<string> {
	const ds = emu.createDataset(name);
	await runScale(emu, localParams(ds), await images(refs(0, n)));
	assert.equal(emu.itemCount(ds), n);
	return ds;
}

describe('Append Items, Skip Items Already in Dataset', () => {
	test('local: only the missing images are uploaded; the present ones come out already_present, paired, without a job', async () => {
		const ds = await prefilled('skip-local', 6);
		const input = await images(refs(0, 10));
		const before = emu.stats();
		clearCapturedLogs();
		const { output } = await runScale(emu, localParams(ds, { skipPresent: true }), input);
		const after = emu.stats();
		assert.equal(after.imagesReceived - before.imagesReceived, 4, 'only r-6 … r-9 are sent');
		assert.equal((after.byRoute[LIST_ROUTE] ?? 0) - (before.byRoute[LIST_ROUTE] ?? 0), 1);
		assert.equal(output[0].length, 10);
		output[0].forEach((o, i) => {
			assert.deepEqual(o.pairedItem, { item: i });
			assert.equal(o.json.reference_id, `r-${i}`);
			assert.equal(o.json.succeeded, true);
			if (i < 6) {
				assert.equal(o.json.outcome, 'already_present');
				assert.equal(o.json.job_id, undefined);
			} else {
				assert.equal(o.json.outcome, 'appended');
				assert.match(String(o.json.job_id), /^job_/);
			}
		});
		assert.equal(emu.itemCount(ds), 10);
		const summary = capturedLogEntries.find((e) =>
			e.message.startsWith('Scale Nucleus Append finished'),
		);
		assert.match(
			String(summary?.message),
			/: 4\/4 images sent, 4 stored, 0 failed, 6 already in the dataset \(not sent\), /,
		);
	});

	test('local, option off: every image is sent again, as before', async () => {
		const ds = await prefilled('skip-off', 6);
		const before = emu.stats();
		const { output } = await runScale(emu, localParams(ds), await images(refs(0, 10)));
		const after = emu.stats();
		assert.equal(after.imagesReceived - before.imagesReceived, 10);
		assert.equal((after.byRoute[LIST_ROUTE] ?? 0) - (before.byRoute[LIST_ROUTE] ?? 0), 0);
		assert.ok(output[0].every((o) => o.json.outcome === 'appended'));
	});

	test('every item already there: nothing is sent at all', async () => {
		const ds = await prefilled('skip-all', 3);
		const before = emu.stats();
		const { output } = await runScale(
			emu,
			localParams(ds, { skipPresent: true }),
			await images(refs(0, 3)),
		);
		const after = emu.stats();
		assert.equal(after.appendRequests - before.appendRequests, 0);
		assert.equal(after.jobsCreated - before.jobsCreated, 0);
		assert.deepEqual(
			output[0].map((o) => o.json.outcome),
			['already_present', 'already_present', 'already_present'],
		);
	});

	test('remote without waiting: the job item carries only the sent reference IDs; the skipped ones are items of their own', async () => {
		const ds = await prefilled('skip-remote', 2);
		const input = refs(0, 4).map((ref) => json({ ref, url: `s3://bucket/${ref}.jpg` }));
		const before = emu.stats();
		const { output } = await runScale(
			emu,
			appendParams(ds, { options: { skipPresent: true } }),
			input,
		);
		const after = emu.stats();
		assert.equal(after.appendItemsReceived - before.appendItemsReceived, 2);
		const [job, ...skipped] = output[0];
		assert.deepEqual(job.json.reference_ids, ['r-2', 'r-3']);
		assert.deepEqual(job.pairedItem, [{ item: 2 }, { item: 3 }]);
		assert.deepEqual(
			skipped.map((o) => [o.json.reference_id, o.json.outcome, o.pairedItem]),
			[
				['r-0', 'already_present', { item: 0 }],
				['r-1', 'already_present', { item: 1 }],
			],
		);
	});

	test('ignored while Update Existing Items is on: everything is sent, so present items are overwritten', async () => {
		const ds = await prefilled('skip-update', 2);
		const before = emu.stats();
		await runScale(
			emu,
			localParams(ds, { skipPresent: true }, { update: true }),
			await images(refs(0, 2)),
		);
		const after = emu.stats();
		assert.equal(after.imagesReceived - before.imagesReceived, 2);
		assert.equal((after.byRoute[LIST_ROUTE] ?? 0) - (before.byRoute[LIST_ROUTE] ?? 0), 0);
	});

	test('a dataset that cannot be listed: with Continue its items are error items and nothing of it is sent; without, the run stops before sending', async () => {
		const ds = await prefilled('skip-unlisted', 1);
		const input = [
			json({ ref: 'r-0', url: 's3://b/0.jpg', ds }),
			json({ ref: 'x', url: 's3://b/x.jpg', ds: 'ds_doesnotexist' }),
			json({ ref: 'r-1', url: 's3://b/1.jpg', ds }),
		];
		const params = appendParams(ds, {
			datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
			options: { skipPresent: true },
		});
		const before = emu.stats();
		const { output } = await runScale(emu, params, input, { onError: 'continueRegularOutput' });
		assert.equal(emu.stats().appendItemsReceived - before.appendItemsReceived, 1, 'only r-1');
		const byItem = new Map(output[0].map((o) => [JSON.stringify(o.pairedItem), o.json]));
		assert.equal(byItem.get(JSON.stringify({ item: 0 }))?.outcome, 'already_present');
		assert.match(String(byItem.get(JSON.stringify({ item: 1 }))?.error), /404|not found/i);

		const stopped = emu.stats();
		await assert.rejects(runScale(emu, params, input), /404|not found/i);
		assert.equal(emu.stats().appendRequests - stopped.appendRequests, 0);
	});

	test('listing pages through the dataset: ceil(N / page size) requests, every reference ID once', async () => {
		const ds = await prefilled('skip-pages', 25);
		const node: INode = {
			id: 'l',
			name: 'List',
			type: 'n8n-nodes-scale-nucleus.scaleNucleus',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const client = new NucleusClient(node, { apiKey: emu.apiKey, baseUrl: emu.baseUrl });
		const before = emu.stats().byRoute[LIST_ROUTE] ?? 0;
		const found = await referenceIdsInDataset(client, ds, 10);
		assert.equal((emu.stats().byRoute[LIST_ROUTE] ?? 0) - before, 3);
		assert.deepEqual([...found].sort(), refs(0, 25).sort());
	});

	test('legacy synchronous protocol: the present items are not sent, the rest get their counts', async () => {
		const legacy = await startEmulator({ syncAppend: 'legacy' });
		try {
			const ds = legacy.createDataset('skip-legacy');
			const input = refs(0, 5).map((ref) => json({ ref, url: `s3://bucket/${ref}.jpg` }));
			const params = appendParams(ds, { options: { protocol: 'legacySync', skipPresent: true } });
			await runScale(legacy, params, input.slice(0, 3));
			const before = legacy.stats();
			const { output } = await runScale(legacy, params, input);
			assert.equal(legacy.stats().appendItemsReceived - before.appendItemsReceived, 2);
			assert.deepEqual(
				output[0].map((o) => [o.json.outcome, o.pairedItem]),
				[
					['already_present', { item: 0 }],
					['already_present', { item: 1 }],
					['already_present', { item: 2 }],
					['new', { item: 3 }],
					['new', { item: 4 }],
				],
			);
		} finally {
			await legacy.close();
		}
	});
});
