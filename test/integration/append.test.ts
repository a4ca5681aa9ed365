import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import {
	capturedLogEntries,
	clearCapturedLogs,
	createTestCredentials,
	makeBinaryItem,
	runNode,
	type RunNodeOptions,
} from '../harness';
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
			appendParams(ds, {
				mode: 'local',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				options: { pollInterval: 0.1 },
			}),
			input,
		);
		assert.deepEqual(
			output[0].map((i) => [i.json.reference_id, i.json.outcome, i.pairedItem]),
			[
				['bin-0', 'appended', { item: 0 }],
				['bin-1', 'appended', { item: 1 }],
			],
		);
		assert.match(String(output[0][0].json.job_id), /^job_/);
		assert.equal(output[0][0].json.job_id, output[0][1].json.job_id, 'one request, one job');
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
				...appendParams(ds, { mode: 'local', imageSource: 'path', options: { pollInterval: 0.1 } }),
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
		assert.equal(items[0].json.outcome, 'appended');
		for (const i of [1, 2, 3, 4]) {
			assert.deepEqual(items[i].pairedItem, { item: i });
			assert.match(String(items[i].json.error), new RegExp(`Item ${i}.*File Path`));
		}
		assert.equal(emu.getItem(ds, 'inside')?.image?.bytes, 1234);
		assert.equal(emu.itemCount(ds), 1);
	});
});

describe('Append Items, local files, batched on the current protocol', () => {
	const files = (n: number, name = (i: number) => `img-${i}.png`) =>
		Promise.all(
			Array.from({ length: n }, (_, i) =>
				makeBinaryItem(Buffer.from(`image number ${i}`), name(i), 'image/png', { ref: `b-${i}` }),
			),
		);
	const localParams = (ds: string, extra: INodeParameters = {}) =>
		appendParams(ds, { mode: 'local', imageSource: 'binary', ...extra });

	test('25 images go as 3 requests of at most 10 to append?async=1, each its own job; every output names its job', async () => {
		const ds = emu.createDataset('local-batched');
		const before = emu.stats();
		const input = await files(25);
		const { output } = await run(localParams(ds, { options: { pollInterval: 0.1 } }), input);
		const after = emu.stats();
		assert.equal(
			after.appendRequestsByForm.multipartBatch - before.appendRequestsByForm.multipartBatch,
			3,
		);
		assert.equal(after.jobsCreated - before.jobsCreated, 3);
		assert.equal(output[0].length, 25);
		const jobs = new Map<string, number>();
		output[0].forEach((o, i) => {
			assert.deepEqual(o.pairedItem, { item: i });
			assert.equal(o.json.outcome, 'appended');
			jobs.set(String(o.json.job_id), (jobs.get(String(o.json.job_id)) ?? 0) + 1);
		});
		assert.deepEqual([...jobs.values()], [10, 10, 5]);
		for (let i = 0; i < 25; i++) {
			const sha = createHash('sha256').update(`image number ${i}`).digest('hex');
			assert.equal(emu.getItem(ds, `b-${i}`)?.image?.sha256, sha);
		}
	});

	test('a long upload logs its progress at info level, about every 10%, then a summary; no item details', async () => {
		const ds = emu.createDataset('local-progress');
		const input = await files(250);
		clearCapturedLogs();
		await run(localParams(ds, { options: { pollInterval: 0.1 } }), input);
		const lines = capturedLogEntries
			.filter((e) => e.message.startsWith('Scale Nucleus Append'))
			.map((e) => ({ level: e.level, message: e.message }));
		assert.ok(lines.every((l) => l.level === 'info'));
		const last = lines[lines.length - 1].message;
		assert.match(
			last,
			/^Scale Nucleus Append finished: 250\/250 images sent, 250 stored, 0 failed, 25\/25 jobs finished, 0 requests in flight, 0 throttled \(429\), \d+s elapsed$/,
		);
		// ~10% steps over sending and waiting: at most 11 progress lines plus the summary.
		assert.ok(lines.length >= 3 && lines.length <= 12, `${lines.length} lines`);
		assert.ok(
			lines.every((l) => !/b-\d|img-\d|\.png/.test(l.message)),
			'no reference IDs or file names',
		);
	});

	test('Images per Request 4 and Wait off: one item per job, paired to its images', async () => {
		const ds = emu.createDataset('local-no-wait');
		const { output } = await run(
			localParams(ds, { waitForCompletion: false, options: { imagesPerRequest: 4 } }),
			await files(9),
		);
		assert.deepEqual(
			output[0].map((o) => [
				o.json.items_submitted,
				(o.pairedItem as Array<{ item: number }>).map((p) => p.item),
			]),
			[
				[4, [0, 1, 2, 3]],
				[4, [4, 5, 6, 7]],
				[1, [8]],
			],
		);
		for (const o of output[0]) await emu.waitForJob(String(o.json.job_id));
		assert.equal(emu.itemCount(ds), 9);
	});

	test('files with the same name get distinct image URLs, so a job error fails exactly its item', async () => {
		const ds = emu.createDataset('local-same-name');
		// A stored number makes a later text value of the same key fail in the job (metadata type rule).
		await run(
			appendParams(ds, {
				metadataMode: 'json',
				metadataJson: '{"score": 1}',
				waitForCompletion: true,
				options: { pollInterval: 0.1 },
			}),
			[json({ ref: 'seed', url: 's3://b/seed.jpg' })],
		);
		const input = await files(3, () => 'same.jpg');
		const { output } = await run(
			localParams(ds, {
				metadataMode: 'json',
				metadataJson: '={{ JSON.stringify({ score: $json.ref === "b-1" ? "high" : 2 }) }}',
				options: { pollInterval: 0.1 },
			}),
			input,
		);
		assert.deepEqual(
			output[0].map((o) => [o.json.image_url, o.json.outcome]),
			[
				['same.jpg', 'appended'],
				['same-2.jpg', 'failed'],
				['same-3.jpg', 'appended'],
			],
		);
		assert.match(String(output[0][1].json.error_message), /same-2\.jpg/);
		assert.equal(emu.getItem(ds, 'b-1'), undefined);
		assert.equal(emu.itemCount(ds), 3);
	});
});

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
