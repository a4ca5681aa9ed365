/**
 * Dataset Item → Update Metadata in a real n8n-core context against the emulator: merge semantics,
 * batches of at most 500, checks before any request, per-item outcomes, asynchronous jobs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import type { RunNodeOptions } from '../harness';
import { json, rl, runScale } from './scale-nucleus';

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

const ROUTE = 'POST dataset/:id/metadata';
const metadataRequests = () => emu.stats().byRoute[ROUTE] ?? 0;

/** A dataset holding `count` items `img-0` … with metadata `{ split: 'train', n }`. */
async function seeded(count: number): Promise<string> {
	const ds = emu.createDataset('update-metadata');
	const job = emu.createJob(
		ds,
		Array.from({ length: count }, (_, n) => ({
			reference_id: `img-${n}`,
			image_url: `s3://bucket/${n}.jpg`,
			metadata: { split: 'train', n },
		})),
	);
	await emu.finishJob(job.job_id);
	return ds;
}

/** Update Metadata with Metadata = All Other Fields (the input item minus `ref`). */
function params(datasetId: string, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'datasetItem',
		operation: 'updateMetadata',
		datasetId: rl(datasetId),
		referenceId: '={{ $json.ref }}',
		metadataMode: 'allFields',
		excludeFields: 'ref',
		...extra,
	};
}

describe('Update Metadata, synchronous', () => {
	test('merges the sent keys (sent key wins, others stay); one output per input item, paired', async () => {
		const ds = await seeded(3);
		const { output } = await run(
			{
				resource: 'datasetItem',
				operation: 'updateMetadata',
				datasetId: rl(ds),
				referenceId: '={{ $json.ref }}',
				metadataMode: 'fields',
				metadataFields: {
					field: [
						{ key: 'split', value: 'val' },
						{ key: 'reviewer', value: '={{ $json.who }}' },
						// Typed as the user means it, not as the text the Value box holds.
						{ key: 'score', type: 'number', value: '0.93' },
						{ key: 'reviewed', type: 'boolean', value: 'true' },
					],
				},
			},
			[json({ ref: 'img-0', who: 'ana' }), json({ ref: 'img-2', who: 'bo' })],
		);
		assert.deepEqual(
			output[0].map((i) => [i.json, i.pairedItem]),
			[
				[
					{
						reference_id: 'img-0',
						dataset_id: ds,
						outcome: 'updated',
						succeeded: true,
						metadata: { split: 'val', reviewer: 'ana', score: 0.93, reviewed: true },
					},
					{ item: 0 },
				],
				[
					{
						reference_id: 'img-2',
						dataset_id: ds,
						outcome: 'updated',
						succeeded: true,
						metadata: { split: 'val', reviewer: 'bo', score: 0.93, reviewed: true },
					},
					{ item: 1 },
				],
			],
		);
		assert.deepEqual(emu.getItem(ds, 'img-0')?.metadata, {
			split: 'val',
			n: 0,
			reviewer: 'ana',
			score: 0.93,
			reviewed: true,
		});
		assert.deepEqual(emu.getItem(ds, 'img-1')?.metadata, { split: 'train', n: 1 });
		assert.deepEqual(emu.getItem(ds, 'img-2')?.metadata, {
			split: 'val',
			n: 2,
			reviewer: 'bo',
			score: 0.93,
			reviewed: true,
		});
		assert.equal(emu.itemCount(ds), 3);
	});

	test('1,234 items go in requests of at most 500 (500, 500, 234), or of Items per Request', async () => {
		const ds = await seeded(1234);
		const input = Array.from({ length: 1234 }, (_, n) => json({ ref: `img-${n}`, batch: 7 }));
		const before = metadataRequests();
		const { output } = await run(params(ds), input);
		assert.equal(metadataRequests() - before, 3);
		assert.equal(output[0].length, 1234);
		assert.ok(
			output[0].every((i, k) => i.json.outcome === 'updated' && i.json.reference_id === `img-${k}`),
		);
		assert.deepEqual(emu.getItem(ds, 'img-1233')?.metadata, { split: 'train', n: 1233, batch: 7 });

		const again = metadataRequests();
		await run(params(ds, { options: { batchSize: 100 } }), input);
		assert.equal(metadataRequests() - again, 13);
	});

	test('an item that does not exist or whose key changes type fails, named by the answer; the others are updated', async () => {
		const ds = await seeded(3);
		const { output } = await run(params(ds), [
			json({ ref: 'img-0', n: 'zero' }),
			json({ ref: 'ghost', tag: 'x' }),
			json({ ref: 'img-2', tag: 'x' }),
		]);
		const [a, b, c] = output[0].map((i) => i.json);
		assert.equal(a.outcome, 'failed');
		assert.equal(a.succeeded, false);
		assert.equal(
			a.error_message,
			'Failed to update the metadata of the item with reference_id "img-0": metadata key "n" is a string but the dataset stores number',
		);
		assert.equal(b.outcome, 'failed');
		assert.match(String(b.error_message), /"ghost": the item does not exist/);
		assert.equal(c.outcome, 'updated');
		assert.deepEqual(emu.getItem(ds, 'img-0')?.metadata, { split: 'train', n: 0 });
		assert.deepEqual(emu.getItem(ds, 'img-2')?.metadata, { split: 'train', n: 2, tag: 'x' });
	});

	test('bad items stop the node before any request, or with Continue become error items while the others are updated', async () => {
		const ds = await seeded(2);
		const input = [
			json({ ref: 'img-0', score: 1 }),
			json({ ref: '', score: 2 }),
			json({ ref: 'img-1', score: Number.NaN }),
			json({ ref: 'img-0', score: 3 }),
			json({ ref: 'img-1' }),
		];
		const before = metadataRequests();
		await assert.rejects(run(params(ds), input), (error: Error & { description?: string }) => {
			assert.equal(error.message, 'Item 1: Reference ID is empty');
			assert.match(String(error.description), /4 items are invalid; nothing was sent/);
			return true;
		});
		assert.equal(metadataRequests(), before);

		const { output } = await run(params(ds), input, { onError: 'continueErrorOutput' });
		const [ok, bad] = output;
		assert.deepEqual(
			ok.map((i) => [i.json.reference_id, i.json.outcome, i.pairedItem]),
			[['img-0', 'updated', { item: 0 }]],
		);
		assert.deepEqual(
			bad.map((i) => [i.pairedItem, (i.json.details as { field?: string }).field]),
			[
				[{ item: 1 }, 'Reference ID'],
				[{ item: 2 }, 'Metadata'],
				[{ item: 3 }, 'Reference ID'],
				[{ item: 4 }, 'Metadata'],
			],
		);
		assert.match(String(bad[1].json.error), /NaN/);
		assert.match(String(bad[2].json.error), /'img-0' is already used by item 0/);
		assert.match(String(bad[3].json.error), /Metadata is empty/);
		assert.equal(metadataRequests() - before, 1);
		assert.deepEqual(emu.getItem(ds, 'img-0')?.metadata, { split: 'train', n: 0, score: 1 });
	});

	test('a request that fails (unknown dataset) fails only its items, named by reference ID', async () => {
		const ds = await seeded(1);
		const { output } = await run(
			{ ...params(ds), datasetId: rl('={{ $json.ds }}') },
			[json({ ds, ref: 'img-0', tag: 'a' }), json({ ds: 'ds_nonexistent', ref: 'x', tag: 'a' })],
			{ onError: 'continueRegularOutput' },
		);
		assert.deepEqual(
			output[0].map((i) => [
				i.pairedItem,
				i.json.outcome ?? (i.json.details as { reference_id?: string }).reference_id,
			]),
			[
				[{ item: 0 }, 'updated'],
				[{ item: 1 }, 'x'],
			],
		);
		assert.match(String(output[0][1].json.error), /not found|404/i);
	});
});

describe('Update Metadata, asynchronous', () => {
	test('without waiting: one item per dataset job (metadataUpdate), paired to its items; Wait for Completion follows it', async () => {
		const ds = await seeded(600);
		const input = Array.from({ length: 600 }, (_, n) => json({ ref: `img-${n}`, reviewed: true }));
		const { output } = await run(
			params(ds, { asynchronous: true, waitForCompletion: false }),
			input,
		);
		assert.equal(output[0].length, 1);
		const job = output[0][0];
		assert.equal(job.json.job_type, 'metadataUpdate');
		assert.equal(job.json.status, 'Queued');
		assert.equal(job.json.items_submitted, 600);
		assert.equal((job.json.reference_ids as string[])[599], 'img-599');
		assert.equal((job.pairedItem as unknown[]).length, 600);

		const waited = await run(
			{
				resource: 'job',
				operation: 'waitForCompletion',
				jobId: '={{ $json.job_id }}',
				pollInterval: 0.1,
			},
			[{ json: job.json }],
		);
		assert.equal(waited.output[0][0].json.status, 'Completed');
		assert.equal(waited.output[0][0].json.error_count, 0);
		assert.deepEqual(emu.getItem(ds, 'img-599')?.metadata, {
			split: 'train',
			n: 599,
			reviewed: true,
		});
	});

	test('waiting: one result per input item from the job, a missing item failed by its job error', async () => {
		const ds = await seeded(2);
		const { output } = await run(
			params(ds, { asynchronous: true, options: { pollInterval: 0.1 } }),
			[
				json({ ref: 'img-0', label: 'cat' }),
				json({ ref: 'nope', label: 'dog' }),
				json({ ref: 'img-1', label: 'cow' }),
			],
		);
		const results = output[0].map((i) => i.json);
		assert.deepEqual(
			results.map((r) => [r.reference_id, r.outcome, r.job_status]),
			[
				// The job's status only on the item it explains.
				['img-0', 'updated', undefined],
				['nope', 'failed', 'Errored_Partial'],
				['img-1', 'updated', undefined],
			],
		);
		assert.equal(new Set(results.map((r) => r.job_id)).size, 1);
		assert.equal(emu.getJob(String(results[0].job_id))?.job_type, 'metadataUpdate');
		assert.deepEqual(emu.getItem(ds, 'img-1')?.metadata, { split: 'train', n: 1, label: 'cow' });
	});
});
