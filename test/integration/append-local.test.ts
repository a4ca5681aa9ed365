/**
 * Append Items with local files (binary data or file paths) through the real node: the image bytes
 * reach Nucleus in multipart requests of at most 10 images on the current protocol, paired with
 * their items, with clear errors for files that cannot be read.
 */
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
	makeBinaryItem,
	type RunNodeOptions,
} from '../harness';
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
