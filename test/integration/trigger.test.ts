/**
 * Scale Nucleus Trigger: poll() in a real n8n-core PollContext (test/harness runPoll) against the
 * emulator over a socket. The emulator is set up so that jobs stay Running (progress 0.50) until the
 * test finishes them (`finishJob`), which makes "finishes between two polls" deterministic.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { MAX_EMITTED } from '../../nodes/ScaleNucleusTrigger/state';
import { startEmulator, type Emulator } from '../emulator';
import { capturedLogEntries, createTestCredentials, runPoll } from '../harness';

let emu: Emulator;

beforeEach(async () => {
	emu = await startEmulator({
		profile: 'fast',
		// Ingest is instant, images never progress on their own: a job sits at 1 of 2 steps until finishJob.
		overrides: { jobQueueDelayMs: 0, jobItemsPerSec: 0.001 },
	});
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

function datasetParams(datasetId: string, extra: IDataObject = {}): IDataObject {
	return { watch: 'dataset', datasetId: { __rl: true, mode: 'id', value: datasetId }, ...extra };
}

async function poll(
	parameters: IDataObject,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
): Promise<IDataObject[] | null> {
	const result = await runPoll({
		node: new ScaleNucleusTrigger(),
		parameters: parameters as never,
		credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
		mode,
		staticData,
	});
	if (result === null) return null;
	assert.equal(result.length, 1, 'one output');
	return result[0].map((item) => item.json);
}

/** A job that is Running at 1 of 2 steps (it stays there until finishJob). */
async function runningJob(
	datasetId: string | null,
	items: unknown[],
	opts: { jobType?: string } = {},
) {
	const rec = emu.createJob(datasetId, items, opts);
	for (let i = 0; i < 2000; i++) {
		const now = emu.getJob(rec.job_id)!;
		if (now.status === 'Running' && now.completed_steps >= 1) return now;
		await new Promise((r) => setTimeout(r, 5));
	}
	throw new Error(`job ${rec.job_id} did not reach Running`);
}

function snapshot(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}

describe('Scale Nucleus Trigger (poll in n8n-core against the emulator)', () => {
	test('a job that finishes between two polls is emitted exactly once with its status', async () => {
		const ds = emu.createDataset('cats');
		const params = datasetParams(ds);
		const state: IDataObject = {};
		assert.equal(await poll(params, state), null, 'first poll: nothing historical');
		assert.equal(typeof state.initializedAt, 'string');
		assert.ok(!Number.isNaN(Date.parse(state.initializedAt as string)), 'ISO string');

		const job = await runningJob(ds, [GOOD('a'), GOOD('b')]);
		assert.equal(await poll(params, state), null, 'running: nothing');

		await emu.finishJob(job.job_id);
		const items = await poll(params, state);
		assert.ok(items);
		assert.equal(items.length, 1);
		const [item] = items;
		assert.equal(item.job_id, job.job_id);
		assert.equal(item.status, 'Completed');
		assert.equal(item.succeeded, true);
		assert.equal(item.final, true);
		assert.equal(item.dataset_id, ds);
		assert.equal(item.job_type, 'uploadDatasetItems');
		assert.equal(item.progress, 1);
		assert.equal(item.completed_steps, item.total_steps);
		assert.equal(item.created_at, new Date(job.job_creation_time).toISOString());
		assert.deepEqual(item.errors, []);
		assert.equal(item.error_count, 0);
		assert.equal(item.errors_truncated, false);
		assert.equal(typeof item.message, 'object');

		// overlapping creation-day windows: the job is listed again, but not emitted again
		assert.equal(await poll(params, state), null);
		assert.equal(await poll(params, state), null);
	});

	test('an Errored_Partial job carries its errors, capped by Max Errors with the total count', async () => {
		const ds = emu.createDataset('dogs');
		const params = datasetParams(ds, { options: { maxErrors: 2 } });
		const state: IDataObject = {};
		await poll(params, state);
		const job = await runningJob(ds, [GOOD('ok1'), BAD('x1'), BAD('x2'), BAD('x3'), GOOD('ok2')]);
		await emu.finishJob(job.job_id);

		const items = await poll(params, state);
		assert.ok(items);
		assert.equal(items.length, 1);
		const [item] = items;
		assert.equal(item.status, 'Errored_Partial');
		assert.equal(item.succeeded, false);
		assert.equal(item.final, true);
		assert.equal(item.error_count, 3);
		assert.equal(item.errors_truncated, true);
		const errors = item.errors as string[];
		assert.equal(errors.length, 2);
		for (const e of errors) assert.match(e, /bad\.invalid\/x\d\.jpg/);
		assert.equal(await poll(params, state), null);
	});

	test('running jobs emit nothing; with Emit Progress, an item per progress change, then the final one', async () => {
		const ds = emu.createDataset('birds');
		const quiet: IDataObject = {};
		const loud: IDataObject = {};
		const quietParams = datasetParams(ds);
		const loudParams = datasetParams(ds, { options: { emitProgress: true } });
		await poll(quietParams, quiet);
		await poll(loudParams, loud);

		const job = emu.createJob(ds, [GOOD('p1')], { hold: true }); // Queued at 0.00
		assert.equal(await poll(quietParams, quiet), null);
		const queued = await poll(loudParams, loud);
		assert.ok(queued);
		assert.deepEqual(
			queued.map((i) => [i.job_id, i.status, i.final, i.progress]),
			[[job.job_id, 'Queued', false, 0]],
		);
		assert.equal(await poll(loudParams, loud), null, 'same progress: nothing');

		emu.startJob(job.job_id);
		for (let i = 0; i < 2000 && emu.getJob(job.job_id)!.completed_steps < 1; i++) {
			await new Promise((r) => setTimeout(r, 5));
		}
		assert.equal(await poll(quietParams, quiet), null);
		const running = await poll(loudParams, loud);
		assert.ok(running);
		const progressItem = running.find((i) => i.job_id === job.job_id);
		assert.ok(progressItem);
		assert.equal(progressItem.status, 'Running');
		assert.equal(progressItem.final, false);
		assert.equal(progressItem.progress, 0.5);
		assert.deepEqual(progressItem.errors, []);

		await emu.finishJob(job.job_id);
		const quietDone = await poll(quietParams, quiet);
		assert.deepEqual(
			quietDone?.filter((i) => i.job_id === job.job_id).map((i) => [i.status, i.final]),
			[['Completed', true]],
		);
		const loudDone = await poll(loudParams, loud);
		assert.deepEqual(
			loudDone?.filter((i) => i.job_id === job.job_id).map((i) => [i.status, i.final]),
			[['Completed', true]],
		);
		assert.deepEqual(loud.progress, {}, 'progress of finished jobs is not kept');
	});

	test('a poll that fails (5xx after all retries) changes nothing; the next poll emits the job', async () => {
		const ds = emu.createDataset('fish');
		const params = datasetParams(ds);
		const state: IDataObject = {};
		await poll(params, state);
		const job = await runningJob(ds, [GOOD('f1'), BAD('f2')]);
		assert.equal(await poll(params, state), null);
		await emu.finishJob(job.job_id);

		// The list and the job status succeed; the errors request fails with 503/504 on every attempt.
		const before = snapshot(state);
		emu.setFaults({ rate5xx: 1, routes: /\/job\/[^/]+\/errors$/ });
		await assert.rejects(poll(params, state), (error: Error & { httpCode?: string }) => {
			assert.match(String(error.httpCode), /^50[34]$/);
			return true;
		});
		assert.deepEqual(state, before, 'state unchanged after the failed poll');
		assert.ok((emu.stats().byRoute['GET job/:id/errors'] ?? 0) >= 2, 'the transport retried');

		emu.resetFaults();
		const items = await poll(params, state);
		assert.deepEqual(
			items?.map((i) => [i.job_id, i.status, i.error_count]),
			[[job.job_id, 'Errored_Partial', 1]],
		);
		assert.equal(await poll(params, state), null);
	});

	test('a poll whose job list fails changes nothing either (429 on POST jobs/)', async () => {
		const ds = emu.createDataset('frogs');
		const params = datasetParams(ds);
		const state: IDataObject = {};
		await poll(params, state);
		const job = await runningJob(ds, [GOOD('g1')]);
		await poll(params, state);
		await emu.finishJob(job.job_id);
		const before = snapshot(state);
		emu.setFaults({ rate429: 1, retryAfterS: 0, routes: /\/jobs\/?$/ });
		await assert.rejects(poll(params, state), (error: Error & { httpCode?: string }) => {
			assert.equal(String(error.httpCode), '429');
			return true;
		});
		assert.deepEqual(state, before);
		emu.resetFaults();
		assert.deepEqual(
			(await poll(params, state))?.map((i) => i.job_id),
			[job.job_id],
		);
	});

	test('a poll run twice emits nothing twice', async () => {
		const ds = emu.createDataset('owls');
		const params = datasetParams(ds);
		const state: IDataObject = {};
		await poll(params, state);
		const a = emu.createJob(ds, [], { status: 'Completed' });
		const b = emu.createJob(ds, [], { status: 'Cancelled' });
		const first = await poll(params, state);
		assert.deepEqual(first?.map((i) => i.job_id).sort(), [a.job_id, b.job_id].sort());
		const afterFirst = snapshot(state);
		assert.equal(await poll(params, state), null);
		const { lastPollAt: _l1, ...restFirst } = afterFirst;
		const { lastPollAt: _l2, ...restSecond } = snapshot(state);
		assert.deepEqual(restSecond, restFirst, 'only the poll time moved');
	});

	test('items are sorted oldest to newest by job creation time', async () => {
		const ds = emu.createDataset('bees');
		const params = datasetParams(ds);
		const state: IDataObject = {};
		await poll(params, state);
		const now = Date.now();
		const newer = emu.createJob(ds, [], { status: 'Completed', createdAt: new Date(now - 1000) });
		const older = emu.createJob(ds, [], {
			status: 'Errored_Server',
			createdAt: new Date(now - 60_000),
		});
		const items = await poll(params, state);
		assert.deepEqual(
			items?.map((i) => i.job_id),
			[older.job_id, newer.job_id],
		);
	});

	test('manual mode returns the newest finished job as a sample and leaves the state as it was', async () => {
		const ds = emu.createDataset('ants');
		const params = datasetParams(ds, { options: { maxErrors: 5 } });

		// nothing finished yet: a clear error instead of an empty sample
		const empty: IDataObject = {};
		await assert.rejects(poll(params, empty, 'manual'), /No finished job found/);
		assert.deepEqual(empty, {});

		const state: IDataObject = {};
		await poll(params, state);
		const running = await runningJob(ds, [GOOD('r1')]);
		await poll(params, state);
		const old = emu.createJob(ds, [], {
			status: 'Completed',
			createdAt: new Date(Date.now() - 3_600_000),
		});
		const partial = await runningJob(ds, [GOOD('m1'), BAD('m2')]);
		await emu.finishJob(partial.job_id);
		const before = snapshot(state);

		const sample = await poll(params, state, 'manual');
		assert.ok(sample);
		assert.equal(sample.length, 1);
		assert.equal(sample[0].job_id, partial.job_id);
		assert.equal(sample[0].status, 'Errored_Partial');
		assert.equal(sample[0].error_count, 1);
		assert.match((sample[0].errors as string[])[0], /bad\.invalid\/m2\.jpg/);
		assert.deepEqual(state, before, 'manual run did not touch the cursor');
		assert.notEqual(old.job_id, partial.job_id);

		// the real poll still emits the finished job afterwards
		const items = await poll(params, state);
		assert.deepEqual(
			items?.map((i) => i.job_id),
			[old.job_id, partial.job_id],
		);
		assert.ok(running);
	});

	test('stored state stays small after 10,000 jobs', async () => {
		const ds = emu.createDataset('many');
		const params = datasetParams(ds, { emitOn: ['erroredAny'], options: { maxErrors: 0 } });
		const state: IDataObject = {};
		await poll(params, state);
		const base = Date.now() - 3_600_000;
		for (let i = 0; i < 10_000; i++) {
			emu.createJob(ds, [], { status: 'Completed', createdAt: new Date(base + i * 100) });
		}
		emu.resetStats();
		assert.equal(await poll(params, state), null, 'Completed is not chosen in Trigger On');
		assert.equal(
			emu.stats().byRoute['GET job/:id'] ?? 0,
			0,
			'recording them cost no per-job request',
		);
		const size = JSON.stringify(state).length;
		assert.ok(size < 200_000, `state is ${size} characters`);
		assert.ok(Object.keys(state.emitted as IDataObject).length <= MAX_EMITTED);

		assert.equal(await poll(params, state), null, 'listed again: still nothing');
		const errored = emu.createJob(ds, [], { status: 'Errored_User' });
		const items = await poll(params, state);
		assert.deepEqual(
			items?.map((i) => [i.job_id, i.status]),
			[[errored.job_id, 'Errored_User']],
		);
		assert.ok(JSON.stringify(state).length < 200_000);
	});

	test('first activation emits nothing historical by default, and everything in the window with Emit History', async () => {
		const ds = emu.createDataset('history');
		const done = emu.createJob(ds, [], { status: 'Completed' });
		const failed = emu.createJob(ds, [], { status: 'Errored_Hanging' });
		assert.equal(await poll(datasetParams(ds), {}), null);
		const items = await poll(datasetParams(ds, { options: { emitHistory: true } }), {});
		assert.deepEqual(items?.map((i) => i.job_id).sort(), [done.job_id, failed.job_id].sort());
	});

	test('watching one dataset ignores the jobs of other datasets', async () => {
		const mine = emu.createDataset('mine');
		const other = emu.createDataset('other');
		const state: IDataObject = {};
		await poll(datasetParams(mine), state);
		const theirs = emu.createJob(other, [], { status: 'Completed' });
		const ours = emu.createJob(mine, [], { status: 'Completed' });
		const items = await poll(datasetParams(mine), state);
		assert.deepEqual(
			items?.map((i) => [i.job_id, i.dataset_id]),
			[[ours.job_id, mine]],
		);
		assert.notEqual(theirs.job_id, ours.job_id);

		const all: IDataObject = {};
		await poll({ watch: 'all' }, all);
		const x = emu.createJob(other, [], { status: 'Completed' });
		const y = emu.createJob(mine, [], { status: 'Cancelled' });
		const everything = await poll({ watch: 'all' }, all);
		assert.deepEqual(everything?.map((i) => i.job_id).sort(), [x.job_id, y.job_id].sort());
	});

	test('Job Types filters by type; an empty selection watches every type', async () => {
		const ds = emu.createDataset('types');
		const defaults: IDataObject = {};
		const every: IDataObject = {};
		await poll(datasetParams(ds), defaults);
		await poll(datasetParams(ds, { jobTypes: [] }), every);
		const clone = emu.createJob(ds, [], { status: 'Completed', jobType: 'cloneDataset' });
		const upload = emu.createJob(ds, [], { status: 'Completed' });
		assert.deepEqual(
			(await poll(datasetParams(ds), defaults))?.map((i) => i.job_id),
			[upload.job_id],
		);
		const all = await poll(datasetParams(ds, { jobTypes: [] }), every);
		assert.deepEqual(all?.map((i) => i.job_id).sort(), [clone.job_id, upload.job_id].sort());
		assert.equal(all?.find((i) => i.job_id === clone.job_id)?.job_type, 'cloneDataset');
	});

	test('Trigger On: statuses not chosen are never emitted', async () => {
		const ds = emu.createDataset('emit-on');
		const params = datasetParams(ds, { emitOn: ['erroredAny'] });
		const state: IDataObject = {};
		await poll(params, state);
		emu.createJob(ds, [], { status: 'Completed' });
		emu.createJob(ds, [], { status: 'Cancelled' });
		const bad = emu.createJob(ds, [], { status: 'Errored_Server' });
		assert.deepEqual(
			(await poll(params, state))?.map((i) => i.job_id),
			[bad.job_id],
		);
		assert.equal(await poll(params, state), null);
	});

	test('Specific Job IDs: only those jobs, with type, dataset and creation time; finished ones are not re-checked', async () => {
		const ds = emu.createDataset('ids');
		const a = await runningJob(ds, [GOOD('i1')]);
		const b = await runningJob(ds, [GOOD('i2')]);
		const c = await runningJob(ds, [GOOD('i3')]);
		const params = { watch: 'jobIds', jobIds: `${a.job_id},\n${b.job_id}  ` };
		const state: IDataObject = {};
		assert.equal(await poll(params, state), null);
		await emu.finishJob(a.job_id);
		await emu.finishJob(c.job_id);
		const items = await poll(params, state);
		assert.ok(items);
		assert.deepEqual(
			items.map((i) => [i.job_id, i.status, i.job_type, i.dataset_id, i.created_at]),
			[
				[
					a.job_id,
					'Completed',
					'uploadDatasetItems',
					ds,
					new Date(a.job_creation_time).toISOString(),
				],
			],
		);
		emu.resetStats();
		assert.equal(await poll(params, state), null);
		assert.equal(emu.stats().byRoute['GET job/:id'], 1, 'only the unfinished job is checked');
		assert.equal(emu.stats().byRoute['POST jobs'] ?? 0, 0, 'no listing in this mode');
	});

	test('Specific Job IDs: an unknown ID (404) is skipped with a warning; the real job is emitted once', async () => {
		const ds = emu.createDataset('ids-unknown');
		const real = await runningJob(ds, [GOOD('u1'), BAD('u2')]);
		const params = { watch: 'jobIds', jobIds: `job_doesnotexist, ${real.job_id}` };
		const state: IDataObject = {};
		let logStart = capturedLogEntries.length;
		const warnings = () =>
			capturedLogEntries
				.slice(logStart)
				.filter((e) => e.level === 'warn' && e.message.includes('job_doesnotexist'))
				.map((e) => e.message);
		assert.equal(await poll(params, state), null, 'first poll: the real job is running');
		assert.deepEqual(warnings(), [
			'Scale Nucleus Trigger: 1 of the watched job IDs is not known to Nucleus (404) and was skipped: job_doesnotexist. The other jobs were checked; check "Job IDs" (a job is asked for again on every poll).',
		]);
		await emu.finishJob(real.job_id);

		// A failed poll still changes nothing: the real job's errors cannot be read.
		const before = snapshot(state);
		emu.setFaults({ rate5xx: 1, routes: /\/job\/[^/]+\/errors$/ });
		await assert.rejects(poll(params, state), (error: Error & { httpCode?: string }) => {
			assert.match(String(error.httpCode), /^50[34]$/);
			return true;
		});
		assert.deepEqual(state, before, 'state unchanged after the failed poll');
		emu.resetFaults();

		logStart = capturedLogEntries.length;
		const items = await poll(params, state);
		assert.deepEqual(
			items?.map((i) => [i.job_id, i.status, i.dataset_id, i.error_count]),
			[[real.job_id, 'Errored_Partial', ds, 1]],
		);
		assert.equal(warnings().length, 1, 'reported again on the poll that emitted');
		assert.deepEqual(Object.keys((state.emitted ?? {}) as IDataObject), [real.job_id]);
		emu.resetStats();
		assert.equal(await poll(params, state), null, 'emitted once');
		assert.equal(emu.stats().byRoute['GET job/:id'], 1, 'only the unknown ID is asked for again');

		// Fetch Test Event skips it too.
		const sample = await poll(params, {}, 'manual');
		assert.deepEqual(
			sample?.map((i) => i.job_id),
			[real.job_id],
		);
	});

	test('a job followed while running is emitted even after it left the listing window', async () => {
		const ds = emu.createDataset('slow');
		const old = emu.createJob(ds, [GOOD('s1')], {
			createdAt: new Date(Date.now() - 5 * 86_400_000),
		});
		for (let i = 0; i < 2000 && emu.getJob(old.job_id)!.completed_steps < 1; i++) {
			await new Promise((r) => setTimeout(r, 5));
		}
		const state: IDataObject = {};
		// a 7-day lookback sees the job running at activation
		await poll(datasetParams(ds, { options: { lookbackDays: 7 } }), state);
		await emu.finishJob(old.job_id);
		// with a 1-day lookback the list no longer shows it; the trigger asks for it by id
		const items = await poll(datasetParams(ds, { options: { lookbackDays: 1 } }), state);
		assert.deepEqual(
			items?.map((i) => [i.job_id, i.status, i.job_type]),
			[[old.job_id, 'Completed', 'uploadDatasetItems']],
		);
	});

	test('One Summary per Dataset: the finished jobs of a poll make one item per dataset; the cursor still tracks each job', async () => {
		const dsA = emu.createDataset('summary-a');
		const dsB = emu.createDataset('summary-b');
		const summary = { watch: 'all', options: { output: 'datasetSummary', maxErrors: 1 } };
		const perJob = { watch: 'all', options: { maxErrors: 1 } };
		const summaryState: IDataObject = {};
		const perJobState: IDataObject = {};
		assert.equal(await poll(summary, summaryState), null);
		assert.equal(await poll(perJob, perJobState), null);

		const now = Date.now();
		const at = (s: number) => ({ hold: true, createdAt: new Date(now - s * 1000) });
		const a1 = emu.createJob(dsA, [GOOD('a1')], at(5));
		const b1 = emu.createJob(dsB, [GOOD('b1')], at(4));
		const a2 = emu.createJob(dsA, [GOOD('a2'), BAD('a2x'), BAD('a2y')], at(3));
		const b2 = emu.createJob(dsB, [GOOD('b2')], at(2));
		const a3 = emu.createJob(dsA, [GOOD('a3')], at(1));
		assert.equal(await poll(summary, summaryState), null, 'all Queued: nothing');
		assert.equal(await poll(perJob, perJobState), null);
		for (const job of [a1, b1, a2, b2, a3]) await emu.finishJob(job.job_id);

		const items = await poll(summary, summaryState);
		assert.ok(items);
		assert.equal(items.length, 2);
		const [sumA, sumB] = items;
		const errorsA = sumA.errors as string[];
		assert.equal(errorsA.length, 1, 'Max Errors per Job (1) of the one errored job');
		assert.match(errorsA[0], /bad\.invalid\/a2[xy]\.jpg/);
		assert.deepEqual(
			{ ...sumA, errors: undefined },
			{
				dataset_id: dsA,
				jobs: 3,
				job_ids: [a1.job_id, a2.job_id, a3.job_id],
				statuses: { Completed: 2, Errored_Partial: 1 },
				succeeded: false,
				error_count: 2,
				errors: undefined,
				errors_truncated: true,
			},
		);
		assert.deepEqual(sumB, {
			dataset_id: dsB,
			jobs: 2,
			job_ids: [b1.job_id, b2.job_id],
			statuses: { Completed: 2 },
			succeeded: true,
			error_count: 0,
			errors: [],
			errors_truncated: false,
		});

		// The same poll with one item per job: the five jobs, oldest first.
		const jobs = await poll(perJob, perJobState);
		assert.deepEqual(
			jobs?.map((i) => [i.job_id, i.status, i.error_count]),
			[
				[a1.job_id, 'Completed', 0],
				[b1.job_id, 'Completed', 0],
				[a2.job_id, 'Errored_Partial', 2],
				[b2.job_id, 'Completed', 0],
				[a3.job_id, 'Completed', 0],
			],
		);
		// The summary is only an output shape: both cursors recorded the same jobs, each on its own.
		assert.deepEqual(summaryState.emitted, perJobState.emitted);
		assert.equal(Object.keys(summaryState.emitted as IDataObject).length, 5);
		assert.equal(await poll(summary, summaryState), null, 'nothing twice');

		// A job finishing later is summarised on its own in the next poll.
		const a4 = emu.createJob(dsA, [], { status: 'Cancelled' });
		assert.deepEqual(await poll(summary, summaryState), [
			{
				dataset_id: dsA,
				jobs: 1,
				job_ids: [a4.job_id],
				statuses: { Cancelled: 1 },
				succeeded: false,
				error_count: 0,
				errors: [],
				errors_truncated: false,
			},
		]);
	});

	test('One Summary per Dataset: Max Errors 0 gives error_count null; progress items stay one per job', async () => {
		const ds = emu.createDataset('summary-progress');
		const params = datasetParams(ds, {
			options: { output: 'datasetSummary', maxErrors: 0, emitProgress: true },
		});
		const state: IDataObject = {};
		await poll(params, state);
		const queued = emu.createJob(ds, [GOOD('q1')], { hold: true });
		const done = emu.createJob(ds, [], { status: 'Errored_Server' });
		const items = await poll(params, state);
		assert.ok(items);
		assert.deepEqual(items[0], {
			dataset_id: ds,
			jobs: 1,
			job_ids: [done.job_id],
			statuses: { Errored_Server: 1 },
			succeeded: false,
			error_count: null,
			errors: [],
			errors_truncated: false,
		});
		assert.deepEqual(
			items.slice(1).map((i) => [i.job_id, i.status, i.final]),
			[[queued.job_id, 'Queued', false]],
		);
		assert.equal(emu.stats().byRoute['GET job/:id/errors'] ?? 0, 0);
	});

	test('Fetch Test Event with One Summary per Dataset: the newest finished job as a summary', async () => {
		const ds = emu.createDataset('summary-sample');
		const params = datasetParams(ds, { options: { output: 'datasetSummary', maxErrors: 5 } });
		emu.createJob(ds, [], { status: 'Completed', createdAt: new Date(Date.now() - 60_000) });
		const partial = await runningJob(ds, [GOOD('s1'), BAD('s2')]);
		await emu.finishJob(partial.job_id);
		const state: IDataObject = {};
		const sample = await poll(params, state, 'manual');
		assert.ok(sample);
		assert.equal(sample.length, 1);
		const errors = sample[0].errors as string[];
		assert.equal(errors.length, 1);
		assert.match(errors[0], /bad\.invalid\/s2\.jpg/);
		assert.deepEqual(
			{ ...sample[0], errors: undefined },
			{
				dataset_id: ds,
				jobs: 1,
				job_ids: [partial.job_id],
				statuses: { Errored_Partial: 1 },
				succeeded: false,
				error_count: 1,
				errors: undefined,
				errors_truncated: false,
			},
		);
		assert.deepEqual(state, {}, 'manual run did not touch the cursor');
	});

	test('an unknown Output value is a configuration error', async () => {
		await assert.rejects(
			poll({ watch: 'all', options: { output: 'perRun' } }, {}),
			/Unknown Output value "perRun"/,
		);
		assert.equal(emu.stats().requests, 0);
	});

	test('configuration mistakes are reported before any request', async () => {
		await assert.rejects(poll({ watch: 'jobIds', jobIds: ' , ' }, {}), /at least one job ID/);
		await assert.rejects(poll({ watch: 'all', emitOn: [] }, {}), /Nothing to emit/);
		await assert.rejects(poll({ watch: 'jobIds', jobIds: 'job_ok, ../jobs' }, {}), {
			message:
				"Job IDs: Job ID '../jobs' is not a job ID (job_ and letters, digits, _ or -, at most 200 characters)",
		});
		await assert.rejects(poll(datasetParams('ds_a/../b'), {}), {
			message: 'Dataset ID "ds_a/../b" is not a Nucleus dataset ID',
		});
		assert.equal(emu.stats().requests, 0);
	});
});
