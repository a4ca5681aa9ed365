/** What the trigger emits (ScaleNucleusTrigger/output.ts): one item per event, or summaries per dataset. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { JobObservation } from '../../nodes/shared/jobs/observation';
import { normalizeJobStatus } from '../../nodes/shared/jobs/status';
import { jobItem, outputItems, type OutputEvent } from '../../nodes/ScaleNucleusTrigger/output';

const job = (id: string, status: string, dataset: string | null): JobObservation => ({
	job_id: id,
	status,
	created_at: '2026-03-10T12:00:00.000Z',
	job_type: 'uploadDatasetItems',
	dataset_id: dataset,
});

const events: OutputEvent[] = [
	{
		job: job('job_1', 'Errored_Partial', 'ds_a'),
		final: true,
		details: { errors: ['e1', 'e2'], errorCount: 3 },
	},
	{
		job: { ...job('job_2', 'Running', 'ds_a'), progress: 0.5 },
		final: false,
		details: {
			view: normalizeJobStatus({ job_id: 'job_2', status: 'Running', job_progress: '0.75' }),
		},
	},
	{ job: job('job_3', 'Completed', 'ds_b'), final: true },
	{ job: job('job_4', 'Completed', 'ds_a'), final: true, details: { errors: [], errorCount: 0 } },
];

describe('one item per job', () => {
	test('the fields of each event; GET job/{id} wins over the list; errors not fetched count null', () => {
		const items = outputItems({ output: 'job', maxErrors: 2 }, events);
		assert.deepEqual(
			items.map((i) => [
				i.job_id,
				i.final,
				i.succeeded,
				i.progress,
				i.error_count,
				i.errors_truncated,
			]),
			[
				['job_1', true, false, null, 3, true],
				['job_2', false, false, 0.75, null, false],
				['job_3', true, true, null, null, false],
				['job_4', true, true, null, 0, false],
			],
		);
		assert.deepEqual(items[0].errors, ['e1', 'e2']);
		assert.deepEqual(items[1], jobItem(events[1]));
	});
});

describe('one summary per dataset', () => {
	test('finished jobs grouped by dataset in order of appearance, then the progress items', () => {
		const items = outputItems({ output: 'datasetSummary', maxErrors: 1 }, events);
		assert.deepEqual(items[0], {
			dataset_id: 'ds_a',
			jobs: 2,
			job_ids: ['job_1', 'job_4'],
			statuses: { Errored_Partial: 1, Completed: 1 },
			succeeded: false,
			error_count: 3,
			// At most Max Errors per Job × jobs: 1 × 2.
			errors: ['e1', 'e2'],
			errors_truncated: true,
		});
		assert.deepEqual(items[1], {
			dataset_id: 'ds_b',
			jobs: 1,
			job_ids: ['job_3'],
			statuses: { Completed: 1 },
			succeeded: true,
			error_count: null,
			errors: [],
			errors_truncated: false,
		});
		assert.deepEqual(items.slice(2), [jobItem(events[1])]);
	});
});
