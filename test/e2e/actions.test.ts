/**
 * End to end, in a real n8n 2.41.1 (Node 24) with the packed package installed as a community
 * package, against the emulator over loopback: the example workflows of examples/ run with
 * `n8n execute`, and the outcome is checked in the emulator's own store.
 * Binary data in n8n's default mode for regular instances (filesystem).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
	cleanupWorkRoot,
	describeRun,
	EXAMPLE_CREDENTIAL,
	NODE_TYPE,
	nodeOutput,
	pairedIndex,
} from './n8n';
import { runFirstAppendExample, runLocalFilesExample, runRemoteAsyncExample } from './scenarios';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from './stack';

let stack: Stack;

before(async () => {
	stack = await startStack({ label: 'actions' });
});

after(async () => {
	await stack?.close();
	await cleanupWorkRoot();
});

describe('n8n loads the package', () => {
	test('Dataset > Get Many through the imported credential lists the emulator datasets', async () => {
		const { emu, n8n } = stack;
		const a = emu.createDataset('smoke-a');
		const b = emu.createDataset('smoke-b');
		const id = await n8n.importWorkflow({
			id: 'e2eSmokeGetMany',
			name: 'smoke: list datasets',
			nodes: [
				{
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					name: 'List datasets',
					type: NODE_TYPE,
					typeVersion: 1,
					position: [220, 0],
					parameters: { resource: 'dataset', operation: 'getMany', returnAll: true },
					credentials: { scaleNucleusApi: { ...EXAMPLE_CREDENTIAL } },
				},
			],
			connections: { Start: { main: [[{ node: 'List datasets', type: 'main', index: 0 }]] } },
			settings: { executionOrder: 'v1' },
		});
		const run = await n8n.execute(id);
		assert.equal(run.status, 'success', describeRun(run));
		const listed = nodeOutput(run, 'List datasets').map((i) => i.json.id);
		assert.ok(listed.includes(a) && listed.includes(b), `listed ${JSON.stringify(listed)}`);
	});
});

describe('example workflows', () => {
	test('00: first append, unchanged: a new dataset, five public images, all on the true branch', async () => {
		await runFirstAppendExample(stack);
	});

	test('1: 1,000 remote items, async job waited for, IF splits succeeded and failed', async () => {
		await runRemoteAsyncExample(stack);
	});

	test('2: files written and read by Read/Write Files from Disk are appended from binary data', async () => {
		await runLocalFilesExample(stack, 'filesystem');
	});

	test('3: re-ingest with Update Existing Items replaces metadata, item count unchanged', async () => {
		const { emu, n8n } = stack;
		const datasetId = emu.createDataset('e2e-reingest');
		// The dataset holds 1,000 items from an earlier upload (as after example 1, without failures).
		const seed = emu.createJob(
			datasetId,
			Array.from({ length: 1000 }, (_, k) => {
				const n = String(k + 1).padStart(4, '0');
				return {
					reference_id: `img-${n}`,
					image_url: `s3://demo-bucket/images/${n}.jpg`,
					metadata: { camera: 'rear', split: 'train', frame: k + 1 },
				};
			}),
		);
		await emu.finishJob(seed.job_id);
		assert.equal(emu.itemCount(datasetId), 1000);

		const wf = await exampleWorkflow(n8n, EXAMPLES.reingest, { datasetId });
		await n8n.importWorkflow(wf);
		const run = await n8n.execute(wf.id);
		assert.equal(run.status, 'success', describeRun(run));
		const results = nodeOutput(run, 'Update in Nucleus');
		assert.equal(results.length, 50);
		// An async job reports no per-item category; the store below shows each item was replaced.
		for (const r of results) assert.equal(r.json.outcome, 'appended', JSON.stringify(r.json));

		assert.equal(emu.itemCount(datasetId), 1000, 'no item added');
		for (const ref of ['img-0001', 'img-0050']) {
			const item = emu.getItem(datasetId, ref);
			assert.ok(item);
			// Replaced as a whole: split and frame are gone.
			assert.deepEqual(item.metadata, {
				camera: 'front',
				label_version: 2,
				reviewed_by: 'qa-team',
			});
			assert.equal(item.updatedCount, 1);
		}
		assert.deepEqual(emu.getItem(datasetId, 'img-0051')?.metadata, {
			camera: 'rear',
			split: 'train',
			frame: 51,
		});
	});

	test("6: re-tag with Update Metadata merges keys, then Job → Get Many lists the dataset's jobs", async () => {
		const { emu, n8n } = stack;
		const datasetId = emu.createDataset('e2e-retag');
		const seed = emu.createJob(
			datasetId,
			Array.from({ length: 1000 }, (_, k) => {
				const n = String(k + 1).padStart(4, '0');
				return {
					reference_id: `img-${n}`,
					image_url: `s3://demo-bucket/images/${n}.jpg`,
					metadata: { camera: 'rear', split: 'train', frame: k + 1 },
				};
			}),
		);
		await emu.finishJob(seed.job_id);

		const wf = await exampleWorkflow(n8n, EXAMPLES.retag, { datasetId });
		await n8n.importWorkflow(wf);
		const run = await n8n.execute(wf.id);
		assert.equal(run.status, 'success', describeRun(run));

		const results = nodeOutput(run, 'Re-tag in Nucleus');
		assert.equal(results.length, 200);
		assert.deepEqual(
			results.map((r) => pairedIndex(r)),
			Array.from({ length: 200 }, (_, k) => k),
		);
		for (const r of results) assert.equal(r.json.outcome, 'updated', JSON.stringify(r.json));
		const jobIds = new Set(results.map((r) => r.json.job_id));
		assert.equal(jobIds.size, 1, 'one asynchronous job for the dataset');
		const [metadataJob] = [...jobIds] as string[];

		// Merged: the keys sent are set, the item's other keys stay; items not sent are untouched.
		assert.deepEqual(emu.getItem(datasetId, 'img-0003')?.metadata, {
			camera: 'rear',
			split: 'train',
			frame: 3,
			label: 'truck',
			review_round: 2,
			reviewed_by: 'qa-team',
		});
		assert.deepEqual(emu.getItem(datasetId, 'img-0201')?.metadata, {
			camera: 'rear',
			split: 'train',
			frame: 201,
		});
		assert.equal(emu.itemCount(datasetId), 1000);

		// Execute Once: one listing, newest job first, with the fields of Job → Get Status.
		const jobs = nodeOutput(run, 'Jobs of the dataset').map((i) => i.json);
		assert.deepEqual(
			jobs.map((j) => [j.job_id, j.job_type, j.status, j.succeeded, j.dataset_id]),
			[
				[metadataJob, 'metadataUpdate', 'Completed', true, datasetId],
				[seed.job_id, 'uploadDatasetItems', 'Completed', true, datasetId],
			],
		);
	});

	test('4: bad items leave on the error output with their pairedItem, good items are appended', async () => {
		const { emu, n8n } = stack;
		const datasetId = emu.createDataset('e2e-bad-input');
		const wf = await exampleWorkflow(n8n, EXAMPLES.badInput, { datasetId });
		await n8n.importWorkflow(wf);
		const run = await n8n.execute(wf.id);
		assert.equal(run.status, 'success', describeRun(run));

		const good = nodeOutput(run, 'Append to Nucleus', 0);
		const bad = nodeOutput(run, 'Append to Nucleus', 1);
		assert.deepEqual(
			good.map((i) => pairedIndex(i)),
			[0, 1, 3, 4, 6, 8, 9],
		);
		assert.deepEqual(
			bad.map((i) => pairedIndex(i)),
			[2, 5, 7],
		);
		for (const item of good) assert.equal(item.json.outcome, 'appended', JSON.stringify(item.json));
		const byIndex = new Map(bad.map((i) => [pairedIndex(i), JSON.stringify(i.json)]));
		assert.match(byIndex.get(2)!, /reference/i);
		assert.match(byIndex.get(5)!, /ftp|scheme/i);
		assert.match(byIndex.get(7)!, /url/i);
		// In real n8n the error items keep their details (n8n replaces the json of an item whose
		// own error property is set, and routes by json only with the keys error/message/details).
		assert.deepEqual(
			bad.map((i) => i.json.details),
			[
				{ item: 2, field: 'Reference ID' },
				{ item: 5, reference_id: 'mixed-005', field: 'Image URL' },
				{ item: 7, reference_id: 'mixed-007', field: 'Image URL' },
			],
		);
		// The downstream nodes got the same split.
		assert.equal(nodeOutput(run, 'Appended').length, 7);
		assert.equal(nodeOutput(run, 'Needs fixing').length, 3);

		assert.equal(emu.itemCount(datasetId), 7);
		assert.deepEqual(
			emu
				.listItems(datasetId)
				.map((i) => i.reference_id)
				.sort(),
			['mixed-000', 'mixed-001', 'mixed-003', 'mixed-004', 'mixed-006', 'mixed-008', 'mixed-009'],
		);
	});
});
