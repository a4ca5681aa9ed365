/**
 * Scale Nucleus Trigger: poll() in a real n8n-core PollContext against the emulator over a socket
 * (set-up in ./trigger-setup.ts): what a poll emits, what it stores, and a failed poll.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import { MAX_EMITTED } from '../../nodes/ScaleNucleusTrigger/state';
import { BAD, GOOD, datasetParams, emu, poll, runningJob, snapshot } from './trigger-setup';

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
