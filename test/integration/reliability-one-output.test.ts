/**
 * One output per input, always: no join of answers to input items may assume that an ID the server
 * gives is unique. Two requests answered with the same job ID (local batches of one Append, Update
 * Metadata over two datasets) must still give every input item exactly one output item, a result or
 * an error item, paired to it. Waiting or not, On Error → Continue or not.
 *
 * A server answering two requests with one job ID is not the real API's documented behaviour, so a
 * scripted server (test/harness/scripted-nucleus.ts) plays it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { makeBinaryItem, runNode } from '../harness';
import { jobInfo, jobStatus, startScripted } from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const SAME_JOB = 'job_same';

/** Answers every write with the one job SAME_JOB, which completes without errors. */
async function oneJobServer() {
	return await startScripted((req) => {
		if (/^POST dataset\/ds_\w+\/(append|metadata)$/.test(req.line)) {
			return { json: jobInfo(SAME_JOB, { type: 'any' }) };
		}
		if (req.line === `GET job/${SAME_JOB}`) return { json: jobStatus(SAME_JOB) };
		if (req.line === `GET job/${SAME_JOB}/errors`) return { json: [] };
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
}

/** Every input position appears in exactly one output item's pairedItem, with no stray pairing. */
function assertEveryInputOnce(output: INodeExecutionData[], inputs: number) {
	const seen = new Map<number, number>();
	for (const item of output) {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem];
		for (const p of paired) {
			const index = typeof p === 'number' ? p : (p?.item ?? -1);
			seen.set(index, (seen.get(index) ?? 0) + 1);
		}
	}
	const missing = Array.from({ length: inputs }, (_, i) => i).filter((i) => !seen.has(i));
	assert.deepEqual(missing, [], 'no input item is missing from the output');
	const twice = [...seen].filter(([, n]) => n > 1).map(([i]) => i);
	assert.deepEqual(twice, [], 'no input item comes out twice');
	assert.ok(
		[...seen.keys()].every((i) => i >= 0 && i < inputs),
		'no output is paired to an input that does not exist',
	);
}

async function run(parameters: INodeParameters, input: INodeExecutionData[], baseCreds: unknown) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: baseCreds as never,
		continueOnFail: true,
	});
}

async function localItems(count: number): Promise<INodeExecutionData[]> {
	return await Promise.all(
		Array.from(
			{ length: count },
			async (_, k) =>
				await makeBinaryItem(Buffer.from(`png ${k}`), `img-${k}.png`, 'image/png', {
					ref: `img-${k}`,
				}),
		),
	);
}

describe('Append (local): three batches answered with one job ID', () => {
	const params = (waitForCompletion: boolean): INodeParameters => ({
		resource: 'datasetItem',
		operation: 'append',
		mode: 'local',
		imageSource: 'binary',
		datasetId: rl('ds_1'),
		referenceId: '={{ $json.ref }}',
		waitForCompletion,
		options: { imagesPerRequest: 5 },
	});

	for (const wait of [true, false]) {
		test(`${wait ? 'waiting' : 'not waiting'}: all 12 items come out, each once`, async () => {
			const srv = await oneJobServer();
			try {
				const { output } = await run(params(wait), await localItems(12), srv.credentials);
				assert.equal(srv.count('POST dataset/ds_1/append'), 3, 'three batches were sent');
				assertEveryInputOnce(output[0], 12);
				if (wait) assert.equal(output[0].length, 12, 'one output item per input item');
			} finally {
				await srv.close();
			}
		});
	}
});

describe('Update Metadata (asynchronous): two datasets answered with one job ID', () => {
	const input = ['ds_a', 'ds_b', 'ds_a', 'ds_b'].map((ds, k) => ({
		json: { ds, ref: `img-${k}`, split: 'val' },
	}));
	const params = (waitForCompletion: boolean): INodeParameters => ({
		resource: 'datasetItem',
		operation: 'updateMetadata',
		datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
		referenceId: '={{ $json.ref }}',
		metadataMode: 'allFields',
		excludeFields: 'ds,ref',
		asynchronous: true,
		waitForCompletion,
	});

	for (const wait of [true, false]) {
		test(`${wait ? 'waiting' : 'not waiting'}: all 4 items come out, each once`, async () => {
			const srv = await oneJobServer();
			try {
				const { output } = await run(params(wait), input, srv.credentials);
				assert.equal(srv.count(/^POST dataset\/ds_[ab]\/metadata$/), 2, 'one request per dataset');
				assertEveryInputOnce(output[0], 4);
				if (wait) {
					assert.equal(output[0].length, 4);
					for (const [k, item] of output[0].entries()) {
						assert.equal(item.json.reference_id, `img-${k}`, `output ${k} is its own item`);
						assert.equal(item.json.dataset_id, input[k].json.ds);
					}
				}
			} finally {
				await srv.close();
			}
		});
	}
});
