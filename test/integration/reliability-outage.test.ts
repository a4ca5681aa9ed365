/**
 * Outage during a wait: while the node waits for a job (Job → Wait for Completion, or Append Items
 * asynchronous with Wait for Completion), the API refuses connections for several seconds
 * (the emulator closes its listening socket: ECONNREFUSED) and then comes back. The wait carries on
 * and reports the job's final status. An outage longer than the wait's timeout ends in a clear error
 * that names the job id, so the user can resume waiting on it.
 */
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '../emulator';
import { appendParams, json, pairedIndex, runScale } from './reliability-common';

let emu: Emulator;
before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

async function waitUntil(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		assert.ok(Date.now() < deadline, 'condition not reached in time');
		await delay(10);
	}
}

const polls = () => emu.stats().byRoute['GET job/:id'] ?? 0;

describe('API outage while waiting for a job', () => {
	for (const mode of ['refuse', 'reset'] as const) {
		const what = mode === 'refuse' ? 'refused connections' : 'connections reset on accept';
		test(
			`Job → Wait for Completion rides out 4 s of ${what} and reports the final status`,
			{ timeout: 60_000 },
			async () => {
				const ds = emu.createDataset(`outage-job-${mode}`);
				const job = emu.createJob(
					ds,
					[
						{ reference_id: 'o-1', image_url: 's3://b/1.jpg' },
						{ reference_id: 'o-2', image_url: 'https://x.invalid/2.jpg' },
					],
					{ hold: true },
				);
				const run = runScale(
					emu,
					{
						resource: 'job',
						operation: 'waitForCompletion',
						jobId: job.job_id,
						pollInterval: 0.2,
						timeout: 60,
					},
					[{ json: {} }],
				);
				run.catch(() => undefined); // awaited below; an early failure must not count as unhandled
				await waitUntil(() => polls() >= 2);
				const started = Date.now();
				const outage = emu.outage(4000, mode);
				// The job runs on (and finishes) while the API cannot be reached.
				emu.startJob(job.job_id);
				await emu.waitForJob(job.job_id);
				await outage;
				const outageMs = Date.now() - started;
				const { output } = await run;
				const result = output[0][0].json;
				assert.equal(result.job_id, job.job_id);
				assert.equal(result.status, 'Errored_Partial');
				assert.equal(result.final, true);
				assert.equal(result.error_count, 1);
				assert.match(String((result.errors as string[])[0]), /x\.invalid\/2\.jpg/);
				console.log(
					`outage: Job → Wait for Completion rode out ${outageMs} ms of ${what} and reported ${result.status}`,
				);
			},
		);
	}

	test(
		'Append Items (asynchronous, waiting) rides out a 4 s refusal; every item gets its result',
		{ timeout: 60_000 },
		async () => {
			const ds = emu.createDataset('outage-append');
			emu.setHoldNewJobs(true);
			const input = Array.from({ length: 50 }, (_, i) =>
				json({ ref: `a-${i}`, url: `s3://bucket/${i}.jpg` }),
			);
			const jobsBefore = emu.listJobs().length;
			const run = runScale(
				emu,
				appendParams(ds, {
					waitForCompletion: true,
					options: { pollInterval: 0.2, timeout: 60 },
				}),
				input,
			);
			run.catch(() => undefined);
			await waitUntil(() => emu.listJobs().length > jobsBefore && polls() >= 1);
			emu.setHoldNewJobs(false);
			const job = emu.listJobs().find((j) => j.dataset_id === ds)!;
			const pollsBefore = polls();
			const outage = emu.outage(4000, 'refuse');
			emu.startJob(job.job_id);
			await outage;
			const { output } = await run;
			assert.ok(polls() > pollsBefore, 'the wait polled again after the outage');
			assert.equal(output[0].length, 50);
			assert.deepEqual(
				output[0].map(pairedIndex),
				input.map((_, i) => i),
			);
			assert.ok(
				output[0].every(
					(item) =>
						item.json.succeeded === true &&
						item.json.job_status === undefined &&
						item.json.job_id === job.job_id,
				),
			);
			assert.equal(emu.itemCount(ds), 50);
		},
	);

	test(
		'an outage longer than the timeout ends in an error naming the job id, so the wait can be resumed',
		{ timeout: 60_000 },
		async () => {
			const ds = emu.createDataset('outage-timeout');
			const job = emu.createJob(ds, [{ reference_id: 't-1', image_url: 's3://b/1.jpg' }], {
				hold: true,
			});
			const run = runScale(
				emu,
				{
					resource: 'job',
					operation: 'waitForCompletion',
					jobId: job.job_id,
					pollInterval: 0.2,
					timeout: 2,
				},
				[{ json: {} }],
			);
			run.catch(() => undefined);
			await waitUntil(() => polls() >= 1);
			const started = Date.now();
			const outage = emu.outage(60_000, 'refuse');
			let failedAfterMs = 0;
			await assert.rejects(
				run,
				(error: Error & { description?: string; context?: { itemIndex?: number } }) => {
					failedAfterMs = Date.now() - started;
					assert.match(error.message, new RegExp(`Job ${job.job_id} did not finish within 2 s`));
					assert.match(
						String(error.description),
						new RegExp(`Resume with Job → Wait for Completion and Job ID ${job.job_id}`),
					);
					assert.match(
						String(error.description),
						/Could not reach Nucleus at 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
					);
					return true;
				},
			);
			// End the outage now (a new outage of 1 ms replaces the running one).
			await emu.outage(1, 'refuse');
			await outage;
			// Each poll is one attempt (the wait itself rides out refusals) and gets the time left as its
			// timeout, so the wait ends at its timeout, not after a transport's retries: a bound, not a speed.
			assert.ok(failedAfterMs >= 2000, 'the wait did not give up before its timeout');
			assert.ok(failedAfterMs < 10_000, `the timeout bounds the wait (${failedAfterMs} ms)`);
			console.log(
				`outage: a refusal longer than a 2 s wait timeout failed after ${failedAfterMs} ms, naming ${job.job_id}`,
			);
		},
	);
});
