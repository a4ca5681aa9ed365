/**
 * Scale Nucleus Trigger: what is watched (Watch, Job Types, Trigger On, Specific Job IDs, Emit
 * History) with poll() in n8n-core against the emulator (set-up in ./trigger-setup.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import { capturedLogEntries } from '../harness';
import { BAD, GOOD, datasetParams, emu, poll, runningJob, snapshot } from './trigger-setup';

describe('Scale Nucleus Trigger: what is watched', () => {
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
});
