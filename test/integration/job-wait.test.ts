/**
 * Job → Wait for Completion over a whole input (a run's jobs at once), in a real n8n-core
 * ExecuteContext against the emulator over a socket: Job IDs of all items are deduplicated and
 * waited on in one polling loop; one output item per job, paired to every item that named it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import type { RunNodeOptions } from '../harness';
import { json, runScale } from './scale-nucleus';

let emu: Emulator;
/** Emulator request log lines (one per answered request). */
let requestLog: string[] = [];

beforeEach(async () => {
	requestLog = [];
	emu = await startEmulator({ quiet: false, log: (line) => requestLog.push(line) });
});
afterEach(async () => {
	await emu.close();
});

const GOOD = (ref: string) => ({
	reference_id: ref,
	image_url: `https://images.example.com/${ref}.jpg`,
	metadata: {},
});
const BAD = (ref: string) => ({
	reference_id: ref,
	image_url: `https://bad.invalid/${ref}.jpg`,
	metadata: {},
});

function waitParams(extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'job',
		operation: 'waitForCompletion',
		jobId: '={{ $json.job }}',
		pollInterval: 0.1,
		timeout: 30,
		...extra,
	};
}

const run = (
	parameters: INodeParameters,
	input: INodeExecutionData[],
	more: Partial<RunNodeOptions> = {},
) => runScale(emu, parameters, input, more);

/** `GET job/{id}` requests answered per job id (from the emulator's request log). */
function statusPollsByJob(): Map<string, number> {
	const counts = new Map<string, number>();
	for (const line of requestLog) {
		const m = /GET \/v1\/nucleus\/job\/([^/\s?]+) ->/.exec(line);
		if (m) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
	}
	return counts;
}

const pairs = (item: INodeExecutionData) =>
	(Array.isArray(item.pairedItem) ? item.pairedItem : [item.pairedItem]).map((p) =>
		typeof p === 'number' ? p : p?.item,
	);

async function finishedJobs(ds: string, n: number, bad: number[] = []): Promise<string[]> {
	const ids: string[] = [];
	for (let k = 0; k < n; k++) {
		const items = bad.includes(k) ? [GOOD(`g${k}`), BAD(`b${k}`)] : [GOOD(`g${k}`)];
		const job = emu.createJob(ds, items);
		await emu.finishJob(job.job_id);
		ids.push(job.job_id);
	}
	return ids;
}

describe('Job → Wait for Completion (whole input)', () => {
	test('25 items naming 5 jobs give 5 items, first-seen order, paired to every item that named the job', async () => {
		const ds = emu.createDataset('wait-many');
		const [A, B, C, D, E] = await finishedJobs(ds, 5, [0]);
		const byIndex = [A, B, C, D, E];
		const cells: unknown[] = [];
		for (let i = 0; i < 20; i++) cells.push(byIndex[i % 5]);
		cells[0] = `${C}, ${A}`; // a comma-separated cell: C is seen first
		cells.push(`${E},${A}`); // 20
		cells.push(`${B} ${B}`); // 21: a repeat within a cell
		cells.push([D, C]); // 22: an array from an expression
		cells.push(`  ${A}\n`); // 23
		cells.push(` ${D} ,\n${E},`); // 24
		const input = cells.map((job, i) => json({ job, n: i }));

		emu.resetStats();
		const { output } = await run(waitParams(), input);
		const items = output[0];
		assert.deepEqual(
			items.map((i) => i.json.job_id),
			[C, A, B, D, E],
		);
		assert.deepEqual(items.map(pairs), [
			[0, 2, 7, 12, 17, 22],
			[0, 5, 10, 15, 20, 23],
			[1, 6, 11, 16, 21],
			[3, 8, 13, 18, 22, 24],
			[4, 9, 14, 19, 20, 24],
		]);
		assert.deepEqual(
			items.map((i) => [i.json.status, i.json.succeeded, i.json.final, i.json.error_count]),
			[
				['Completed', true, true, 0],
				['Errored_Partial', false, true, 1],
				['Completed', true, true, 0],
				['Completed', true, true, 0],
				['Completed', true, true, 0],
			],
		);
		assert.match((items[1].json.errors as string[])[0], /bad\.invalid\/b0\.jpg/);
		assert.deepEqual(Object.keys(items[0].json).sort(), [
			'completed_steps',
			'error_count',
			'errored',
			'errors',
			'final',
			'job_id',
			'message',
			'progress',
			'status',
			'succeeded',
			'total_steps',
		]);
		// The jobs were final already: one round, one status and one errors request per job.
		assert.equal(emu.stats().byRoute['GET job/:id'], 5);
		assert.equal(emu.stats().byRoute['GET job/:id/errors'], 5);
	});

	test('one polling loop for the whole input: each job is polled once per round, not once per item', async () => {
		const ds = emu.createDataset('wait-loop');
		const jobs = [0, 1, 2, 3, 4].map((k) => emu.createJob(ds, [GOOD(`h${k}`)], { hold: true }));
		const input = Array.from({ length: 25 }, (_, i) => json({ job: jobs[i % 5].job_id }));
		requestLog = [];
		const started = Date.now();
		const waiting = run(waitParams({ includeErrors: false }), input);
		await new Promise((r) => setTimeout(r, 600));
		for (const job of jobs) assert.equal(emu.getJob(job.job_id)?.status, 'Queued');
		for (const job of jobs) emu.setJobStatus(job.job_id, 'Completed');
		const { output } = await waiting;
		const elapsedS = (Date.now() - started) / 1000;

		assert.deepEqual(
			output[0].map((i) => [i.json.job_id, i.json.status, pairs(i).length]),
			jobs.map((j) => [j.job_id, 'Completed', 5]),
		);
		assert.equal(output[0][0].json.errors, undefined, 'Include Errors off: no errors fetched');
		const polls = statusPollsByJob();
		const counts = jobs.map((j) => polls.get(j.job_id) ?? 0);
		const rounds = Math.max(...counts);
		assert.ok(rounds >= 4, `polled while Queued (${rounds} rounds)`);
		assert.ok(rounds <= elapsedS / 0.1 + 2, `${rounds} rounds in ${elapsedS} s`);
		for (const c of counts) assert.ok(c === rounds || c === rounds - 1, `counts ${counts}`);
		assert.equal(
			emu.stats().byRoute['GET job/:id'],
			counts.reduce((a, b) => a + b, 0),
		);
		assert.equal(emu.stats().byRoute['GET job/:id/errors'] ?? 0, 0);
	});

	test('jobs that never finish: error items naming them with On Error → Continue, the others reported', async () => {
		const ds = emu.createDataset('wait-timeout');
		const [done1, done2] = await finishedJobs(ds, 2);
		const held1 = emu.createJob(ds, [GOOD('x')], { hold: true }).job_id;
		const held2 = emu.createJob(ds, [GOOD('y')], { hold: true }).job_id;
		const input = [done1, held1, held2, done2, held1].map((job) => json({ job }));
		const params = waitParams({ timeout: 1 });

		const { output } = await run(params, input, { onError: 'continueErrorOutput' });
		const [ok, failed] = output;
		assert.deepEqual(
			ok.map((i) => [i.json.job_id, i.json.status, pairs(i)]),
			[
				[done1, 'Completed', [0]],
				[done2, 'Completed', [3]],
			],
		);
		assert.equal(failed.length, 2);
		assert.deepEqual(
			failed.map((i) => [(i.json.details as { job_id?: string }).job_id, pairs(i)]),
			[
				[held1, [1, 4]],
				[held2, [2]],
			],
		);
		assert.equal(
			failed[0].json.error,
			`Job ${held1} did not finish within 1 s (last known status Queued)`,
		);
		assert.match(String(failed[1].json.error), new RegExp(`^Job ${held2} did not finish`));

		// Without Continue the node fails with the first such job, naming the other one.
		await assert.rejects(
			run(params, input),
			(error: Error & { description?: string; context?: { itemIndex?: number } }) => {
				assert.equal(
					error.message,
					`Job ${held1} did not finish within 1 s (last known status Queued)`,
				);
				assert.match(String(error.description), new RegExp(`Job ID ${held1}`));
				assert.match(
					String(error.description),
					new RegExp(`1 other job\\(s\\) did not finish or could not be read either: ${held2}\\.$`),
				);
				assert.equal(error.context?.itemIndex, 1);
				return true;
			},
		);
	});

	test('an unknown job (404) is asked for again within the grace period, then an error item for it only', async () => {
		const ds = emu.createDataset('wait-404');
		const [done] = await finishedJobs(ds, 1, [0]);
		const input = [json({ job: done }), json({ job: 'job_doesnotexist' }), json({ job: done })];
		// A new job may not be visible at once, so a 404 does not end the wait in its first 30 s; with a
		// 2 s timeout the job is reported as unknown when the wait ends, not as "did not finish".
		requestLog = [];
		emu.resetStats();
		const { output } = await run(waitParams({ timeout: 2 }), input, { continueOnFail: true });
		const items = output[0];
		assert.equal(items.length, 2);
		assert.deepEqual(
			[items[0].json.job_id, items[0].json.status, items[0].json.error_count, pairs(items[0])],
			[done, 'Errored_Partial', 1, [0, 2]],
		);
		assert.equal((items[1].json.details as { job_id?: string }).job_id, 'job_doesnotexist');
		assert.match(String(items[1].json.error), /^Job job_doesnotexist could not be read: .*404/);
		assert.deepEqual(
			Object.keys(items[1].json),
			['error', 'details'],
			'the shape n8n routes as an error',
		);
		assert.deepEqual(pairs(items[1]), [1]);
		const polls = statusPollsByJob();
		assert.equal(polls.get(done), 1, 'the finished job is read once');
		assert.ok((polls.get('job_doesnotexist') ?? 0) >= 5, 'the unknown job was asked for again');
		assert.equal(emu.stats().byRoute['GET job/:id/errors'], 1);

		await assert.rejects(run(waitParams({ timeout: 1 }), input), (error: Error) => {
			assert.match(error.message, /^Job job_doesnotexist could not be read: /);
			return true;
		});
	});

	test('unusable Poll Interval or Timeout: a clear error naming the option, no request', async () => {
		const input = [json({ job: 'job_a' })];
		emu.resetStats();
		const cases: Array<[INodeParameters, RegExp]> = [
			[{ pollInterval: 0 }, /^Poll Interval must be a number of at least 0\.1, but is '0'$/],
			[{ pollInterval: 0.05 }, /^Poll Interval must be a number of at least 0\.1, but is '0\.05'$/],
			[
				{ pollInterval: '={{ "soon" }}' },
				/^Poll Interval must be a number of at least 0\.1, but is 'soon'$/,
			],
			[{ timeout: 0.5 }, /^Max Wait must be a number of at least 1, but is '0\.5'$/],
			[
				{ timeout: '={{ Infinity }}' },
				/^Max Wait must be a number of at least 1, but is 'Infinity'$/,
			],
		];
		for (const [extra, pattern] of cases) {
			await assert.rejects(run(waitParams(extra), input), (error: Error) => {
				assert.match(error.message, pattern, JSON.stringify(extra));
				return true;
			});
			await assert.rejects(
				run(waitParams(extra), input, { continueOnFail: true }),
				(error: Error) => {
					assert.match(error.message, pattern, JSON.stringify(extra));
					return true;
				},
			);
		}
		assert.equal(emu.stats().requests, 0);
	});

	test('an empty or malformed Job ID names the item and the field before any request', async () => {
		const ds = emu.createDataset('wait-invalid');
		const [done] = await finishedJobs(ds, 1);
		const long = `job_${'x'.repeat(200)}`;
		const input = [
			json({ job: done }),
			json({ job: ' , ' }),
			json({ job: long }),
			json({ job: { id: 1 } }),
		];
		emu.resetStats();
		await assert.rejects(run(waitParams(), input), (error: Error & { description?: string }) => {
			assert.equal(error.message, 'Item 1: Job ID is empty');
			assert.match(String(error.description), /3 items have an unusable Job ID; nothing was sent/);
			return true;
		});
		assert.equal(emu.stats().requests, 0);

		const { output } = await run(waitParams(), input, { continueOnFail: true });
		const items = output[0];
		assert.deepEqual(
			items.map((i) => [
				i.json.job_id ?? null,
				(i.json.details as { field?: string } | undefined)?.field ?? null,
				pairs(i),
			]),
			[
				[done, null, [0]],
				[null, 'Job ID', [1]],
				[null, 'Job ID', [2]],
				[null, 'Job ID', [3]],
			],
		);
		assert.equal(items[1].json.error, 'Item 1: Job ID is empty');
		assert.match(
			String(items[2].json.error),
			/^Item 2: Job ID 'job_x+… \(204 characters\)' is not a job ID/,
		);
		assert.match(String(items[3].json.error), /^Item 3: Job ID must be text, but got an object/);
		assert.equal(emu.stats().byRoute['GET job/:id'], 1);
	});

	test('cancelling the execution stops the wait promptly', async () => {
		const ds = emu.createDataset('wait-cancel');
		const held = emu.createJob(ds, [GOOD('c')], { hold: true }).job_id;
		const controller = new AbortController();
		const started = Date.now();
		const waiting = run(
			waitParams({ pollInterval: 30, timeout: 3600 }),
			[json({ job: held }), json({ job: held })],
			{ abortSignal: controller.signal },
		);
		setTimeout(() => controller.abort(), 300);
		await assert.rejects(waiting, /abort/i);
		const elapsed = Date.now() - started;
		assert.ok(elapsed < 2000, `stopped after ${elapsed} ms`);
		assert.equal(statusPollsByJob().get(held), 1, 'polled once, then slept until cancelled');
	});
});
