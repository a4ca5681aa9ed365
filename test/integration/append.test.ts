/**
 * Append Items with remote images through the real node: asynchronous jobs, validation with Continue
 * On Fail, and use as an AI tool. Local files: append-local.test.ts; the legacy synchronous protocol:
 * append-legacy.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { createTestCredentials, runNode, type RunNodeOptions } from '../harness';
import { ScaleNucleus, appendParams, json, runScale } from './scale-nucleus';

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

describe('Append Items, remote, asynchronous', () => {
	test('without waiting: one item per job, paired to every valid input, naming its reference IDs', async () => {
		const ds = emu.createDataset('async-summary');
		const input = [
			json({ ref: 'a', url: 's3://b/a.jpg' }),
			json({ ref: 'b', url: 's3://b/b.jpg' }),
		];
		const { output } = await run(appendParams(ds), input);
		assert.equal(output[0].length, 1);
		const summary = output[0][0];
		assert.match(String(summary.json.job_id), /^job_/);
		assert.equal(summary.json.items_submitted, 2);
		assert.deepEqual(summary.json.reference_ids, ['a', 'b']);
		assert.deepEqual(summary.pairedItem, [{ item: 0 }, { item: 1 }]);
		assert.equal(emu.stats().appendRequestsByForm.presigned, 1);
		assert.ok(emu.getJob(String(summary.json.job_id)));
	});

	test("two datasets, one unknown: the other keeps its job, the unknown one's items are error items", async () => {
		const ds = emu.createDataset('async-two');
		const { output } = await run(
			{ ...appendParams(ds), datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' } },
			[
				json({ ref: 'a', url: 's3://b/a.jpg', ds }),
				json({ ref: 'b', url: 's3://b/b.jpg', ds: 'ds_doesnotexist' }),
				json({ ref: 'c', url: 's3://b/c.jpg', ds }),
			],
			{ onError: 'continueRegularOutput' },
		);
		const [job, errorB] = output[0];
		assert.match(String(job.json.job_id), /^job_/);
		assert.deepEqual(job.pairedItem, [{ item: 0 }, { item: 2 }]);
		assert.deepEqual(errorB.pairedItem, { item: 1 });
		assert.deepEqual(errorB.json.details, { item: 1, reference_id: 'b' });
		assert.match(String(errorB.json.error), /404|not found/i);
		assert.equal(output[0].length, 2);
	});

	test('waiting on a job that ends Errored_Partial maps its errors to the failing inputs', async () => {
		const ds = emu.createDataset('async-wait');
		const input = [
			json({ ref: 'ok-1', url: 's3://bucket/1.jpg', n: 1 }),
			json({ ref: 'bad-2', url: 'https://cdn.example.invalid/2.jpg', n: 2 }),
			json({ ref: 'ok-3', url: 'gs://bucket/3.jpg', n: 3 }),
		];
		const { output } = await run(
			appendParams(ds, {
				metadataMode: 'allFields',
				excludeFields: 'ref,url',
				waitForCompletion: true,
				options: { pollInterval: 0.1, timeout: 30 },
			}),
			input,
		);
		const items = output[0];
		assert.equal(items.length, 3);
		assert.deepEqual(
			items.map((i) => [i.json.reference_id, i.json.outcome, i.json.job_status, i.pairedItem]),
			[
				// The job's status only on the item it explains: on a stored item it would read as a failure.
				['ok-1', 'appended', undefined, { item: 0 }],
				['bad-2', 'failed', 'Errored_Partial', { item: 1 }],
				['ok-3', 'appended', undefined, { item: 2 }],
			],
		);
		assert.equal(items[1].json.outcome, 'failed');
		assert.match(String(items[1].json.error_message), /cdn\.example\.invalid\/2\.jpg/);
		assert.equal(emu.itemCount(ds), 2);
		assert.equal(emu.getItem(ds, 'ok-3')?.metadata.n, 3);
	});

	test('a job whose errors cannot be read after it finished: error items naming the job, items kept', async () => {
		const ds = emu.createDataset('async-errors-unreadable');
		emu.setFaults({ rate5xx: 1, routes: /\/job\/[^/]+\/errors$/ });
		try {
			const { output } = await run(
				appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1, timeout: 30 } }),
				[
					json({ ref: 'kept-0', url: 's3://b/0.jpg' }),
					json({ ref: 'kept-1', url: 's3://b/1.jpg' }),
				],
				{ onError: 'continueRegularOutput' },
			);
			assert.deepEqual(
				output[0].map((i) => i.pairedItem),
				[{ item: 0 }, { item: 1 }],
			);
			for (const item of output[0]) {
				assert.match(
					String(item.json.error),
					/Job job_\w+ finished Completed, but its errors could not be read/,
				);
			}
		} finally {
			emu.resetFaults();
		}
		assert.equal(emu.itemCount(ds), 2);
	});

	test('100,000 remote items go through one async job and all land in the dataset', async () => {
		const ds = emu.createDataset('async-100k');
		const input = Array.from({ length: 100_000 }, (_, i) =>
			json({ ref: `img-${i}`, url: `s3://bucket/images/${i}.jpg`, shard: i % 7 }),
		);
		const { output } = await run(
			appendParams(ds, {
				metadataMode: 'allFields',
				excludeFields: 'ref,url',
				waitForCompletion: true,
				options: { pollInterval: 0.2, timeout: 300 },
			}),
			input,
		);
		assert.equal(output[0].length, 100_000);
		assert.ok(output[0].every((i) => i.json.succeeded === true));
		assert.equal(emu.itemCount(ds), 100_000);
		assert.equal(emu.getItem(ds, 'img-99999')?.metadata.shard, 99_999 % 7);
	});
});

describe('Append Items, validation and continue on fail', () => {
	test('bad items stop the node before any request when Continue On Fail is off', async () => {
		const ds = emu.createDataset('validation-stop');
		const before = emu.stats().appendRequests;
		await assert.rejects(
			run(appendParams(ds), [
				json({ ref: 'ok', url: 's3://b/ok.jpg' }),
				json({ ref: 'bad', url: 'ftp://b/bad.jpg' }),
			]),
			(error: Error & { context?: { itemIndex?: number } }) => {
				assert.match(error.message, /Item 1/);
				assert.match(error.message, /Image URL/);
				return true;
			},
		);
		assert.equal(emu.stats().appendRequests, before);
		assert.equal(emu.itemCount(ds), 0);
	});

	test('with Continue (error output) bad items go to the error output with their pairedItem', async () => {
		const ds = emu.createDataset('validation-continue');
		const input = [
			json({ ref: 'good-0', url: 's3://b/0.jpg' }),
			json({ ref: '', url: 's3://b/1.jpg' }),
			json({ ref: 'good-2', url: 'gcs://b/2.jpg' }),
			json({ ref: 'good-0', url: 's3://b/3.jpg' }),
			json({ ref: 'good-4', url: 'https://h.example.com/4.jpg' }),
		];
		const { output } = await run(appendParams(ds), input, {
			onError: 'continueErrorOutput',
		});
		const [ok, errors] = output;
		assert.deepEqual(
			ok.map((i) => [i.json.reference_ids, i.pairedItem]),
			[
				[
					['good-0', 'good-4'],
					[{ item: 0 }, { item: 4 }],
				],
			],
		);
		assert.deepEqual(
			errors.map((i) => i.pairedItem),
			[{ item: 1 }, { item: 2 }, { item: 3 }],
		);
		assert.match(String(errors[0].json.error), /Item 1.*Reference ID/);
		assert.match(String(errors[1].json.error), /Item 2.*Image URL/);
		assert.match(
			String(errors[2].json.error),
			/Item 3.*Reference ID 'good-0' is already used by item 0/,
		);
		assert.equal(await emu.waitForJob(String(ok[0].json.job_id)).then(() => emu.itemCount(ds)), 2);
	});
});

describe('Append Items as an AI tool', () => {
	// n8n registers a tool variant of a usableAsTool node under the name `<name>Tool`.
	class ScaleNucleusTool extends ScaleNucleus {
		constructor() {
			super();
			this.description = { ...this.description, name: 'scaleNucleusTool' };
		}
	}

	test('Local File mode is refused before any file is read or request sent; remote mode works', async () => {
		const ds = emu.createDataset('as-tool');
		const before = emu.stats().requests;
		await assert.rejects(
			runNode({
				node: new ScaleNucleusTool(),
				parameters: appendParams(ds, {
					mode: 'local',
					imageSource: 'path',
					filePath: '/etc/hostname',
				}),
				input: [json({ ref: 'a' })],
				credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
			}),
			/Local File mode is not available to AI agents/,
		);
		assert.equal(emu.stats().requests, before);
		const { output } = await runNode({
			node: new ScaleNucleusTool(),
			parameters: appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
			input: [json({ ref: 'a', url: 's3://b/a.jpg' })],
			credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
		});
		assert.equal(output[0][0].json.outcome, 'appended');
	});
});
