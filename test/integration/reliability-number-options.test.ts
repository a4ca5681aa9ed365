/**
 * Number parameters and options given as expressions are checked and named: a value that is not a
 * whole number in range is an error naming the item, the parameter and the value, before any request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeParameters } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { startEmulator, type Emulator } from '../emulator';
import { runPoll } from '../harness';
import { appendParams, json, rl, runScale } from './scale-nucleus';

describe('number parameters and options given as expressions', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(async () => {
		await emu.close();
	});

	test('Get Many Limit: not a whole number of at least 1 is an error naming the item and the value', async () => {
		const ds = emu.createDataset('limits');
		for (const operation of [
			{ resource: 'dataset', operation: 'getMany' },
			{ resource: 'datasetItem', operation: 'getMany', datasetId: rl(ds) },
			{ resource: 'job', operation: 'getMany' },
		]) {
			emu.resetStats();
			const { output } = await runScale(
				emu,
				{ ...operation, returnAll: false, limit: '={{ $json.limit }}' },
				[
					json({ limit: 0 }),
					json({ limit: 'ten' }),
					json({ limit: 1.5 }),
					json({ limit: -3 }),
					json({ limit: 2 }),
				],
				{ continueOnFail: true },
			);
			assert.deepEqual(
				output[0].slice(0, 4).map((i) => i.json.error),
				[
					"Item 0: Limit must be a whole number of at least 1, but is '0'",
					"Item 1: Limit must be a whole number of at least 1, but is 'ten'",
					"Item 2: Limit must be a whole number of at least 1, but is '1.5'",
					"Item 3: Limit must be a whole number of at least 1, but is '-3'",
				],
			);
			assert.equal(emu.stats().requests, 1, 'only the valid item sent a request');
		}
	});

	test('Append options use the same check (Option Poll Interval), before any request', async () => {
		const ds = emu.createDataset('append-options');
		emu.resetStats();
		await assert.rejects(
			runScale(
				emu,
				appendParams(ds, {
					waitForCompletion: true,
					options: { pollInterval: '={{ "soon" }}' },
				}),
				[json({ ref: 'a', url: 's3://b/a.jpg' })],
			),
			{ message: "Option Poll Interval must be a number of at least 0.1, but is 'soon'" },
		);
		assert.equal(emu.stats().requests, 0);
	});

	test('Update Metadata options use the same check (Items per Request, Poll Interval), before any request', async () => {
		const ds = emu.createDataset('metadata-options');
		emu.resetStats();
		const update = (options: INodeParameters, extra: INodeParameters = {}) =>
			runScale(
				emu,
				{
					resource: 'datasetItem',
					operation: 'updateMetadata',
					datasetId: rl(ds),
					referenceId: 'r1',
					metadataMode: 'json',
					metadataJson: '{"tag": "x"}',
					options,
					...extra,
				},
				[json({})],
			);
		await assert.rejects(update({ batchSize: 501 }), {
			message: "Option Items per Request must be a whole number from 1 to 500, but is '501'",
		});
		await assert.rejects(update({ batchSize: '={{ "many" }}' }), {
			message: "Option Items per Request must be a whole number from 1 to 500, but is 'many'",
		});
		await assert.rejects(
			update({ pollInterval: 0 }, { asynchronous: true, waitForCompletion: true }),
			{ message: "Option Poll Interval must be a number of at least 0.1, but is '0'" },
		);
		assert.equal(emu.stats().requests, 0);
	});

	test('trigger options Max Errors per Job and Lookback (Days) are checked, before any request', async () => {
		emu.resetStats();
		const poll = (options: Record<string, unknown>) =>
			runPoll({
				node: new ScaleNucleusTrigger(),
				parameters: { watch: 'all', options } as never,
				credentials: { scaleNucleusApi: { apiKey: emu.apiKey, baseUrl: emu.baseUrl } },
				staticData: {},
			});
		await assert.rejects(poll({ maxErrors: -1 }), {
			message: "Option Max Errors per Job must be a whole number from 0 to 10000, but is '-1'",
		});
		await assert.rejects(poll({ maxErrors: '={{ "all" }}' }), {
			message: "Option Max Errors per Job must be a whole number from 0 to 10000, but is 'all'",
		});
		await assert.rejects(poll({ lookbackDays: 40 }), {
			message: "Option Lookback (Days) must be a whole number from 0 to 31, but is '40'",
		});
		await assert.rejects(poll({ lookbackDays: 1.5 }), {
			message: "Option Lookback (Days) must be a whole number from 0 to 31, but is '1.5'",
		});
		assert.equal(emu.stats().requests, 0);
	});
});
