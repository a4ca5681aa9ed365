/**
 * Append Items with Protocol: Legacy Synchronous, against an emulator that still answers the
 * pre-2026 synchronous append with counts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { makeBinaryItem, type RunNodeOptions } from '../harness';
import { appendParams, json, runScale } from './scale-nucleus';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

const run = (
	parameters: INodeParameters,
	input: INodeExecutionData[],
	more: Partial<RunNodeOptions> = {},
) => runScale(emu, parameters, input, more);

describe('Append Items, Protocol: Legacy Synchronous', () => {
	let legacy: Emulator;
	before(async () => {
		legacy = await startEmulator({ syncAppend: 'legacy' });
	});
	after(async () => {
		await legacy.close();
	});
	const runLegacy = (
		parameters: INodeParameters,
		input: INodeExecutionData[],
		more: Partial<RunNodeOptions> = {},
	) => runScale(legacy, parameters, input, more);

	test('remote: counts give new / failed per item, in batches under 30', async () => {
		const ds = legacy.createDataset('sync-mixed');
		const input = [
			json({ ref: 'a', url: 's3://bucket/a.jpg', label: 'cat' }),
			json({ ref: 'b', url: 'https://img.example.invalid/b.jpg', label: 'dog' }),
			...Array.from({ length: 43 }, (_, i) =>
				json({ ref: `r${i}`, url: `https://h.example.com/${i}.png` }),
			),
		];
		const { output } = await runLegacy(
			appendParams(ds, {
				metadataMode: 'allFields',
				excludeFields: 'ref, url',
				options: { protocol: 'legacySync' },
			}),
			input,
		);
		assert.equal(output[0].length, 45);
		assert.deepEqual(
			output[0].slice(0, 2).map((i) => [i.json.reference_id, i.json.outcome, i.pairedItem]),
			[
				['a', 'new', { item: 0 }],
				['b', 'failed', { item: 1 }],
			],
		);
		assert.ok(output[0].slice(2).every((i) => i.json.outcome === 'new'));
		assert.equal(legacy.stats().appendRequestsByForm.legacyJson, 3);
		assert.equal(legacy.getItem(ds, 'a')?.metadata.label, 'cat');
		assert.equal(legacy.itemCount(ds), 44);
	});

	test('remote: update off ignores a repeated reference_id, update on replaces its metadata', async () => {
		const ds = legacy.createDataset('sync-update');
		const params = (extra: INodeParameters = {}) =>
			appendParams(ds, {
				metadataMode: 'allFields',
				excludeFields: 'ref,url',
				options: { protocol: 'legacySync' },
				...extra,
			});
		await runLegacy(params(), [json({ ref: 'x', url: 's3://b/x.jpg', v: 1, keep: 'yes' })]);
		const second = [json({ ref: 'x', url: 's3://b/x.jpg', v: 2 })];
		assert.equal((await runLegacy(params(), second)).output[0][0].json.outcome, 'ignored');
		assert.deepEqual(legacy.getItem(ds, 'x')?.metadata, { v: 1, keep: 'yes' });
		assert.equal(
			(await runLegacy(params({ update: true }), second)).output[0][0].json.outcome,
			'updated',
		);
		assert.deepEqual(legacy.getItem(ds, 'x')?.metadata, { v: 2 });
	});

	test('local: one item + image per request, outcome from the counts', async () => {
		const ds = legacy.createDataset('sync-local');
		const input = [await makeBinaryItem(Buffer.from('legacy'), 'l.png', 'image/png', { ref: 'l' })];
		const { output } = await runLegacy(
			appendParams(ds, {
				mode: 'local',
				imageSource: 'binary',
				options: { protocol: 'legacySync' },
			}),
			input,
		);
		assert.equal(output[0][0].json.outcome, 'new');
		assert.equal(legacy.stats().appendRequestsByForm.legacyItem, 1);
	});

	test('a server that answers the old form with a job: the job is followed to per-item outcomes', async () => {
		const ds = emu.createDataset('sync-as-job');
		emu.setSyncAppend('job');
		const { output } = await run(
			appendParams(ds, { options: { protocol: 'legacySync', pollInterval: 0.1 } }),
			[json({ ref: 'a', url: 's3://b/a.jpg' }), json({ ref: 'b', url: 'https://x.invalid/b.jpg' })],
		);
		assert.deepEqual(
			output[0].map((o) => o.json.outcome),
			['appended', 'failed'],
		);
		assert.match(String(output[0][0].json.job_id), /^job_/);
	});

	test('a server that no longer takes synchronous appends: the error names the setting to change', async () => {
		const ds = emu.createDataset('sync-removed');
		emu.setSyncAppend('removed');
		try {
			await assert.rejects(
				run(appendParams(ds, { options: { protocol: 'legacySync' } }), [
					json({ ref: 'a', url: 's3://b/a.jpg' }),
				]),
				(error: Error & { description?: string }) => {
					assert.match(
						String(error.description),
						/set Options → Protocol to "Current \(Asynchronous\)"/,
					);
					return true;
				},
			);
		} finally {
			emu.setSyncAppend('job');
		}
	});
});
