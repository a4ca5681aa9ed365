/**
 * Cancellation: stopping an execution (n8n's execution cancel signal) during a 5,000-item local
 * upload stops new requests at once and the node returns within 2 s of the cancel; the same for a
 * node waiting on a job.
 *
 * The emulator adds 100 ms latency to every API request (profile override), so the upload would
 * run for many seconds at the default Concurrency (32, adaptive); the cancel comes once 200 uploads have arrived.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { makeBinaryItem } from '../harness';
import { appendParams, runScale, tinyPng } from './reliability-common';

const N = 5000;

let emu: Emulator;
before(async () => {
	emu = await startEmulator({ overrides: { latencyMs: 100 } });
});
after(async () => {
	await emu.close();
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		assert.ok(Date.now() < deadline, 'condition not reached in time');
		await delay(5);
	}
}

/** Settles `run` and reports when it settled and how (returned or threw). */
function track<T>(run: Promise<T>) {
	const state: { settledAt?: number; result?: T; error?: unknown } = {};
	const done = run.then(
		(result) => {
			state.settledAt = Date.now();
			state.result = result;
		},
		(error: unknown) => {
			state.settledAt = Date.now();
			state.error = error;
		},
	);
	return { state, done };
}

describe('cancelling an execution', () => {
	test(
		`during a ${N}-item local upload: no new requests after the cancel, the node returns within 2 s`,
		{ timeout: 120_000 },
		async () => {
			const ds = emu.createDataset('cancel-local');
			const input: INodeExecutionData[] = new Array(N);
			for (let i = 0; i < N; i += 100) {
				await Promise.all(
					Array.from({ length: Math.min(100, N - i) }, async (_, k) => {
						input[i + k] = await makeBinaryItem(tinyPng(i + k), `c-${i + k}.png`, 'image/png', {
							ref: `c-${i + k}`,
						});
					}),
				);
			}
			emu.resetStats();
			const controller = new AbortController();
			const run = track(
				runScale(emu, appendParams(ds, { mode: 'local', imageSource: 'binary' }), input, {
					continueOnFail: true,
					abortSignal: controller.signal,
				}),
			);
			await waitUntil(() => emu.stats().appendRequests >= 200);

			const abortedAt = Date.now();
			controller.abort();
			const atAbort = emu.stats().appendRequests;
			await delay(200);
			const settled = emu.stats().appendRequests;
			await run.done;
			await delay(1000);
			const later = emu.stats();

			const returnMs = run.state.settledAt! - abortedAt;
			assert.ok(returnMs < 2000, `the node returned ${returnMs} ms after the cancel`);
			// Requests already on the wire may still arrive in the first moments; after 200 ms nothing new.
			assert.equal(
				later.appendRequests,
				settled,
				'no append request arrived later than 200 ms after the cancel',
			);
			assert.ok(
				settled - atAbort <= 16,
				`requests already on their way when cancelled are few (${settled - atAbort})`,
			);
			assert.ok(later.appendRequests < N, 'the upload did not run to the end');
			assert.equal(later.inFlight, 0, 'no request is left open on the server');
			if (run.state.error === undefined) {
				// Returned instead of throwing: it must not claim the unsent items as appended.
				const succeeded = run.state
					.result!.output.flat()
					.filter((item) => item.json.succeeded === true).length;
				assert.ok(succeeded <= emu.itemCount(ds));
			} else {
				assert.match(String((run.state.error as Error).message), /cancel|abort/i);
			}
			console.log(
				`cancel: ${N} local items, cancelled after ${atAbort} uploads; node ${run.state.error ? `threw "${(run.state.error as Error).message}"` : 'returned'} ${returnMs} ms after the cancel; ` +
					`${settled - atAbort} requests arrived in the next 200 ms, 0 after; ${emu.itemCount(ds)} items stored`,
			);
		},
	);

	test('while waiting for a job: the node returns within 2 s', { timeout: 30_000 }, async () => {
		const ds = emu.createDataset('cancel-wait');
		const job = emu.createJob(ds, [{ reference_id: 'w', image_url: 's3://b/w.jpg' }], {
			hold: true,
		});
		const controller = new AbortController();
		const run = track(
			runScale(
				emu,
				{
					resource: 'job',
					operation: 'waitForCompletion',
					jobId: job.job_id,
					pollInterval: 0.2,
					timeout: 60,
				},
				[{ json: {} }],
				{
					abortSignal: controller.signal,
				},
			),
		);
		await waitUntil(() => (emu.stats().byRoute['GET job/:id'] ?? 0) >= 2);
		const abortedAt = Date.now();
		controller.abort();
		await run.done;
		const returnMs = run.state.settledAt! - abortedAt;
		assert.ok(returnMs < 2000, `returned ${returnMs} ms after the cancel`);
		assert.ok(run.state.error, 'a cancelled wait does not report a job status');
		assert.equal(emu.getJob(job.job_id)?.status, 'Queued');
	});
});
