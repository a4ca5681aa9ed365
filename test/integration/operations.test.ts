/**
 * The credential test and the operations other than Append Items and Update Metadata (Dataset:
 * Create, Get, Get Many; Dataset Item: Get, Get Many, Delete; Job: Get Status, Get Errors, Wait for
 * Completion) through the real node (n8n-core ExecuteContext) against the emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { createTestCredentials, runNode, testCredential, type RunNodeOptions } from '../harness';
import { ScaleNucleus, rl, runScale } from './scale-nucleus';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

const run = (
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	more: Partial<RunNodeOptions> = {},
) => runScale(emu, parameters, input, more);

describe('credential', () => {
	test('the credential test passes with the right key and fails with a wrong one', async () => {
		assert.equal(
			(await testCredential(createTestCredentials(emu.baseUrl, emu.apiKey))).status,
			'OK',
		);
		const wrong = await testCredential(createTestCredentials(emu.baseUrl, 'not-the-key'));
		assert.equal(wrong.status, 'Error');
	});

	test('a wrong key makes the node fail with a hint to check the key, without the key', async () => {
		const key = 'secret_wrong_key_123';
		await assert.rejects(
			runNode({
				node: new ScaleNucleus(),
				parameters: { resource: 'dataset', operation: 'getMany', returnAll: true },
				input: [{ json: {} }],
				credentials: createTestCredentials(emu.baseUrl, key),
			}),
			(error: Error & { description?: string; httpCode?: string }) => {
				const text = JSON.stringify({ m: error.message, d: error.description, e: error });
				assert.match(`${error.message} ${error.description}`, /API key/i);
				assert.equal(String(error.httpCode), '401');
				assert.ok(!text.includes(key));
				assert.ok(!text.includes(Buffer.from(`${key}:`).toString('base64')));
				return true;
			},
		);
	});
});

describe('Dataset', () => {
	test('create, get and get many', async () => {
		const created = await run({ resource: 'dataset', operation: 'create', name: 'made-by-n8n' });
		const id = String(created.output[0][0].json.dataset_id);
		assert.match(id, /^ds_/);
		const got = await run({ resource: 'dataset', operation: 'get', datasetId: rl(id) });
		assert.equal(got.output[0][0].json.name, 'made-by-n8n');
		assert.equal(got.output[0][0].json.length, 0);
		const many = await run({ resource: 'dataset', operation: 'getMany', returnAll: true });
		assert.ok(many.output[0].some((i) => i.json.id === id));
		const limited = await run({
			resource: 'dataset',
			operation: 'getMany',
			returnAll: false,
			limit: 1,
		});
		assert.equal(limited.output[0].length, 1);
	});

	test('an unknown dataset id is a 404 error naming the problem, or an error item', async () => {
		await assert.rejects(
			run({ resource: 'dataset', operation: 'get', datasetId: rl('ds_doesnotexist') }),
			(error: Error & { httpCode?: string; description?: string }) => {
				assert.equal(String(error.httpCode), '404');
				assert.match(`${error.message} ${error.description}`, /dataset/i);
				return true;
			},
		);
		const { output } = await run(
			{ resource: 'dataset', operation: 'get', datasetId: rl('ds_doesnotexist') },
			[{ json: {} }, { json: {} }],
			{ onError: 'continueRegularOutput' },
		);
		assert.deepEqual(
			output[0].map((i) => [Object.keys(i.json), i.pairedItem]),
			[
				[['error', 'details'], { item: 0 }],
				[['error', 'details'], { item: 1 }],
			],
		);
	});
});

describe('Dataset Item', () => {
	test('get by a reference id with a slash, get many across pages, delete', async () => {
		const ds = emu.createDataset('items-ops');
		const job = emu.createJob(
			ds,
			Array.from({ length: 1500 }, (_, i) => ({
				reference_id: i === 0 ? 'folder/with space/0' : `ref-${i}`,
				image_url: `s3://b/${i}.jpg`,
				metadata: { i },
			})),
		);
		await emu.finishJob(job.job_id);
		assert.equal(emu.itemCount(ds), 1500);

		const got = await run({
			resource: 'datasetItem',
			operation: 'get',
			datasetId: rl(ds),
			referenceId: 'folder/with space/0',
		});
		assert.equal(got.output[0][0].json.reference_id, 'folder/with space/0');
		assert.deepEqual(got.output[0][0].json.metadata, { i: 0 });

		const all = await run({
			resource: 'datasetItem',
			operation: 'getMany',
			datasetId: rl(ds),
			returnAll: true,
		});
		assert.equal(all.output[0].length, 1500);
		assert.equal(new Set(all.output[0].map((i) => i.json.reference_id)).size, 1500);
		const some = await run({
			resource: 'datasetItem',
			operation: 'getMany',
			datasetId: rl(ds),
			returnAll: false,
			limit: 7,
		});
		assert.equal(some.output[0].length, 7);

		const deleted = await run({
			resource: 'datasetItem',
			operation: 'delete',
			datasetId: rl(ds),
			referenceId: 'folder/with space/0',
		});
		assert.deepEqual(deleted.output[0][0].json, {
			deleted: true,
			dataset_id: ds,
			reference_id: 'folder/with space/0',
		});
		assert.equal(emu.getItem(ds, 'folder/with space/0'), undefined);
		assert.equal(emu.itemCount(ds), 1499);
	});
});

describe('Job', () => {
	function partialJob() {
		const ds = emu.createDataset('job-ops');
		return emu.createJob(ds, [
			{ reference_id: 'good', image_url: 's3://b/good.jpg', metadata: {} },
			{ reference_id: 'bad', image_url: 'https://x.example.invalid/bad.jpg', metadata: {} },
		]);
	}

	test('get status and get errors of a job that ended Errored_Partial', async () => {
		const job = partialJob();
		await emu.finishJob(job.job_id);
		const status = await run({ resource: 'job', operation: 'getStatus', jobId: job.job_id });
		const s = status.output[0][0].json;
		assert.equal(s.status, 'Errored_Partial');
		assert.equal(s.final, true);
		assert.equal(s.succeeded, false);
		const errors = await run({ resource: 'job', operation: 'getErrors', jobId: job.job_id });
		assert.equal(errors.output[0][0].json.error_count, 1);
		assert.match(
			String((errors.output[0][0].json.errors as string[])[0]),
			/x\.example\.invalid\/bad\.jpg/,
		);
	});

	test('wait for completion does not stop while the job is Queued and outputs status and errors', async () => {
		const ds = emu.createDataset('job-wait');
		const job = emu.createJob(
			ds,
			[{ reference_id: 'bad', image_url: 'ftp://nope/x.jpg', metadata: {} }],
			{
				hold: true,
			},
		);
		const waiting = run({
			resource: 'job',
			operation: 'waitForCompletion',
			jobId: job.job_id,
			pollInterval: 0.1,
			timeout: 30,
		});
		await new Promise((r) => setTimeout(r, 400));
		assert.equal(emu.getJob(job.job_id)?.status, 'Queued');
		emu.startJob(job.job_id);
		const { output } = await waiting;
		const s = output[0][0].json;
		assert.equal(s.job_id, job.job_id);
		assert.equal(s.status, 'Errored_User');
		assert.equal(s.final, true);
		assert.equal(s.error_count, 1);
		assert.ok(emu.stats().byRoute['GET job/:id'] >= 3, 'it polled several times while Queued');
	});

	test('a wait that times out names the job id so the user can resume', async () => {
		const ds = emu.createDataset('job-timeout');
		const job = emu.createJob(
			ds,
			[{ reference_id: 'a', image_url: 's3://b/a.jpg', metadata: {} }],
			{ hold: true },
		);
		await assert.rejects(
			run({
				resource: 'job',
				operation: 'waitForCompletion',
				jobId: job.job_id,
				pollInterval: 0.1,
				timeout: 1,
			}),
			(error: Error & { description?: string }) => {
				assert.match(error.message, new RegExp(job.job_id));
				assert.match(String(error.description), /Wait for Completion/);
				return true;
			},
		);
		emu.startJob(job.job_id);
	});
});
