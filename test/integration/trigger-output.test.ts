/**
 * Scale Nucleus Trigger: the Output option (One Summary per Dataset) with poll() in n8n-core against
 * the emulator (set-up in ./trigger-setup.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import { BAD, GOOD, datasetParams, emu, poll, runningJob } from './trigger-setup';

describe('Scale Nucleus Trigger: One Summary per Dataset', () => {
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
});
