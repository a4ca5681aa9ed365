import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { createTestCredentials, makeBinaryItem, runNode, type RunNodeOptions } from '../harness';
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

describe('Append Items, remote, synchronous', () => {
	test('mixed good and failing URLs: one result per item with its outcome and pairedItem', async () => {
		const ds = emu.createDataset('sync-mixed');
		const input = [
			json({ ref: 'a', url: 's3://bucket/a.jpg', label: 'cat' }),
			json({ ref: 'b', url: 'https://img.example.invalid/b.jpg', label: 'dog' }),
			json({ ref: 'c', url: 'gs://bucket/c.jpg', label: 'cow' }),
		];
		const { output } = await run(
			appendParams(ds, {
				processing: 'sync',
				metadataMode: 'allFields',
				excludeFields: 'ref, url',
			}),
			input,
		);
		const items = output[0];
		assert.equal(items.length, 3);
		assert.deepEqual(
			items.map((i) => [i.json.reference_id, i.json.outcome, i.pairedItem]),
			[
				['a', 'new', { item: 0 }],
				['b', 'failed', { item: 1 }],
				['c', 'new', { item: 2 }],
			],
		);
		assert.match(String(items[1].json.error_message), /b\.jpg|fetch/);
		assert.equal(emu.getItem(ds, 'a')?.metadata.label, 'cat');
		assert.equal(emu.getItem(ds, 'b'), undefined);
		assert.equal(emu.itemCount(ds), 2);
	});

	test('update off ignores a repeated reference_id, update on replaces its metadata', async () => {
		const ds = emu.createDataset('sync-update');
		const first = [json({ ref: 'x', url: 's3://b/x.jpg', v: 1, keep: 'yes' })];
		await run(
			appendParams(ds, { processing: 'sync', metadataMode: 'allFields', excludeFields: 'ref,url' }),
			first,
		);
		const second = [json({ ref: 'x', url: 's3://b/x.jpg', v: 2 })];
		const ignored = await run(
			appendParams(ds, { processing: 'sync', metadataMode: 'allFields', excludeFields: 'ref,url' }),
			second,
		);
		assert.equal(ignored.output[0][0].json.outcome, 'ignored');
		assert.deepEqual(emu.getItem(ds, 'x')?.metadata, { v: 1, keep: 'yes' });
		const updated = await run(
			appendParams(ds, {
				processing: 'sync',
				update: true,
				metadataMode: 'allFields',
				excludeFields: 'ref,url',
			}),
			second,
		);
		assert.equal(updated.output[0][0].json.outcome, 'updated');
		assert.deepEqual(emu.getItem(ds, 'x')?.metadata, { v: 2 });
		assert.equal(emu.itemCount(ds), 1);
	});

	test('45 items go in batches under 30 and all arrive', async () => {
		const ds = emu.createDataset('sync-batches');
		const input = Array.from({ length: 45 }, (_, i) =>
			json({ ref: `r${i}`, url: `https://h.example.com/${i}.png` }),
		);
		const { output } = await run(
			appendParams(ds, { processing: 'sync', options: { batchSize: 20 } }),
			input,
		);
		assert.equal(output[0].length, 45);
		assert.ok(
			output[0].every(
				(i, n) => i.json.outcome === 'new' && (i.pairedItem as { item: number }).item === n,
			),
		);
		assert.equal(emu.itemCount(ds), 45);
	});
});

describe('Append Items, remote, asynchronous', () => {
	test('without waiting: one summary item with the job, paired to every valid input', async () => {
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
		assert.deepEqual(summary.pairedItem, [{ item: 0 }, { item: 1 }]);
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
				options: { waitForCompletion: true, pollInterval: 0.1, timeout: 30 },
			}),
			input,
		);
		const items = output[0];
		assert.equal(items.length, 3);
		assert.deepEqual(
			items.map((i) => [i.json.reference_id, i.json.succeeded, i.json.job_status, i.pairedItem]),
			[
				['ok-1', true, 'Errored_Partial', { item: 0 }],
				['bad-2', false, 'Errored_Partial', { item: 1 }],
				['ok-3', true, 'Errored_Partial', { item: 2 }],
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
				appendParams(ds, { options: { waitForCompletion: true, pollInterval: 0.1, timeout: 30 } }),
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
				options: { waitForCompletion: true, pollInterval: 0.2, timeout: 300 },
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
			run(appendParams(ds, { processing: 'sync' }), [
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
		const { output } = await run(appendParams(ds, { processing: 'sync' }), input, {
			onError: 'continueErrorOutput',
		});
		const [ok, errors] = output;
		assert.deepEqual(
			ok.map((i) => [i.json.reference_id, i.pairedItem]),
			[
				['good-0', { item: 0 }],
				['good-4', { item: 4 }],
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
		assert.equal(emu.itemCount(ds), 2);
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
			parameters: appendParams(ds, { processing: 'sync' }),
			input: [json({ ref: 'a', url: 's3://b/a.jpg' })],
			credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
		});
		assert.equal(output[0][0].json.outcome, 'new');
	});
});

describe('Append Items, local files', () => {
	let dir: string;
	before(async () => {
		dir = await mkdtemp(join(tmpdir(), 'nucleus-local-'));
	});

	test('from n8n binary data in filesystem mode: bytes arrive intact', async () => {
		const ds = emu.createDataset('local-binary');
		const files = [Buffer.alloc(70_000, 7), Buffer.from('second image bytes')];
		const input = await Promise.all(
			files.map((buf, i) => makeBinaryItem(buf, `img-${i}.png`, 'image/png', { ref: `bin-${i}` })),
		);
		assert.ok(input[0].binary?.data.id, 'binary data is stored by id, as in n8n 2.x');
		const { output } = await run(
			appendParams(ds, { mode: 'local', imageSource: 'binary', binaryPropertyName: 'data' }),
			input,
		);
		assert.deepEqual(
			output[0].map((i) => [i.json.reference_id, i.json.outcome, i.pairedItem]),
			[
				['bin-0', 'new', { item: 0 }],
				['bin-1', 'new', { item: 1 }],
			],
		);
		for (let i = 0; i < files.length; i++) {
			const stored = emu.getItem(ds, `bin-${i}`);
			assert.equal(stored?.image?.bytes, files[i].length);
			assert.equal(stored?.image?.sha256, createHash('sha256').update(files[i]).digest('hex'));
			assert.equal(stored?.image?.contentType, 'image/png');
		}
	});

	test('from a path inside N8N_RESTRICT_FILE_ACCESS_TO; a path outside is refused', async () => {
		const ds = emu.createDataset('local-path');
		const allowed = join(dir, 'allowed');
		const outside = join(dir, 'outside');
		await mkdir(allowed, { recursive: true });
		await mkdir(outside, { recursive: true });
		await writeFile(join(allowed, 'in.jpg'), Buffer.alloc(1234, 1));
		await writeFile(join(outside, 'out.jpg'), Buffer.alloc(10, 2));
		await symlink(join(outside, 'out.jpg'), join(allowed, 'link.jpg'));
		const { output } = await run(
			{
				...appendParams(ds, { mode: 'local', imageSource: 'path' }),
				filePath: '={{ $json.path }}',
			},
			[
				json({ ref: 'inside', path: join(allowed, 'in.jpg') }),
				json({ ref: 'outside', path: join(outside, 'out.jpg') }),
				json({ ref: 'symlink', path: join(allowed, 'link.jpg') }),
				json({ ref: 'missing', path: join(allowed, 'nope.jpg') }),
				json({ ref: 'directory', path: allowed }),
			],
			{ onError: 'continueRegularOutput', env: { N8N_RESTRICT_FILE_ACCESS_TO: allowed } },
		);
		const items = output[0];
		assert.equal(items.length, 5);
		assert.equal(items[0].json.outcome, 'new');
		for (const i of [1, 2, 3, 4]) {
			assert.deepEqual(items[i].pairedItem, { item: i });
			assert.match(String(items[i].json.error), new RegExp(`Item ${i}.*File Path`));
		}
		assert.equal(emu.getItem(ds, 'inside')?.image?.bytes, 1234);
		assert.equal(emu.itemCount(ds), 1);
	});
});
