/**
 * Timers are clamped: every sleep between two checks of a job is at most what the platform's timers
 * hold (a `setTimeout` above 2^31 − 1 ms, about 24.8 days, fires at once) and at most what is left
 * of the wait's Timeout. A Poll Interval of a month must mean "rarely", never "as fast as the loop
 * can go" against the API.
 *
 * The jobs here never finish; each run is cancelled after 1.5 s, as a user stops an execution,
 * and the test counts how often the job's status was asked for meanwhile.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { makeBinaryItem, runNode } from '../harness';
import { jobInfo, jobStatus, startScripted } from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** 29 days in seconds: above the 2^31 − 1 ms a timer holds. */
const MONTH_S = 29 * 24 * 3600;
const CANCEL_AFTER_MS = 1_500;

/** Every write answers job_1, which stays Running. */
async function runningJobServer() {
	return await startScripted((req) => {
		if (/^POST dataset\/ds_1\/(append|metadata)$/.test(req.line)) {
			return { json: jobInfo('job_1', { status: 'Running' }) };
		}
		if (req.line === 'GET job/job_1') {
			return { json: { ...jobStatus('job_1', 'Running'), job_progress: '0.10' } };
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
}

/** Runs the node and cancels it after CANCEL_AFTER_MS. */
async function runCancelled(
	credentials: unknown,
	parameters: INodeParameters,
	input: INodeExecutionData[],
): Promise<void> {
	const controller = new AbortController();
	const timer = setTimeout(() => controller.abort(), CANCEL_AFTER_MS);
	try {
		await runNode({
			node: new ScaleNucleus(),
			parameters,
			input,
			credentials: credentials as never,
			abortSignal: controller.signal,
		});
	} catch {
		// Cancelled: what matters is what was sent meanwhile.
	} finally {
		clearTimeout(timer);
	}
}

const waits: Array<[string, () => Promise<[INodeParameters, INodeExecutionData[]]>]> = [
	[
		'Job → Wait for Completion',
		async () => [
			{
				resource: 'job',
				operation: 'waitForCompletion',
				jobId: 'job_1',
				pollInterval: MONTH_S,
				timeout: MONTH_S,
			},
			[{ json: {} }],
		],
	],
	[
		'Append (local, waiting)',
		async () => [
			{
				resource: 'datasetItem',
				operation: 'append',
				mode: 'local',
				imageSource: 'binary',
				datasetId: rl('ds_1'),
				referenceId: '={{ $json.ref }}',
				waitForCompletion: true,
				options: { pollInterval: MONTH_S, timeout: MONTH_S },
			},
			[await makeBinaryItem(Buffer.from('png'), 'a.png', 'image/png', { ref: 'a' })],
		],
	],
	[
		'Update Metadata (asynchronous, waiting)',
		async () => [
			{
				resource: 'datasetItem',
				operation: 'updateMetadata',
				datasetId: rl('ds_1'),
				referenceId: '={{ $json.ref }}',
				metadataMode: 'allFields',
				excludeFields: 'ref',
				asynchronous: true,
				waitForCompletion: true,
				options: { pollInterval: MONTH_S, timeout: MONTH_S },
			},
			[{ json: { ref: 'a', split: 'val' } }],
		],
	],
];

describe('a Poll Interval and Timeout of 29 days (beyond what a timer holds)', () => {
	for (const [what, setup] of waits) {
		test(`${what}: the job is checked at most twice in 1.5 s, not in a tight loop`, async () => {
			const srv = await runningJobServer();
			try {
				const [parameters, input] = await setup();
				await runCancelled(srv.credentials, parameters, input);
				const checks = srv.count('GET job/job_1');
				assert.ok(checks >= 1, 'the job was checked');
				assert.ok(checks <= 2, `${checks} status requests in ${CANCEL_AFTER_MS} ms`);
			} finally {
				await srv.close();
			}
		});
	}
});

test('a Poll Interval longer than the Timeout: the wait ends at its Timeout, not a poll later', async () => {
	const srv = await runningJobServer();
	try {
		const started = Date.now();
		const { output } = await runNode({
			node: new ScaleNucleus(),
			parameters: {
				resource: 'job',
				operation: 'waitForCompletion',
				jobId: 'job_1',
				pollInterval: MONTH_S,
				timeout: 1,
			},
			input: [{ json: {} }],
			credentials: srv.credentials,
			continueOnFail: true,
		});
		const took = Date.now() - started;
		assert.ok(took < 5_000, `ended after ${took} ms`);
		assert.match(String(output[0][0].json.error), /job_1/);
	} finally {
		await srv.close();
	}
});
