/** A job as a poll sees it (shared/jobs/observation.ts), from each answer that tells about it. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	type JobObservation,
	applyInfo,
	applyStatus,
	lacksInfo,
	mergeObservations,
	observeInfo,
	observeListed,
	observeStatus,
} from '../../nodes/shared/jobs/observation';
import { normalizeJobStatus } from '../../nodes/shared/jobs/status';

const running = normalizeJobStatus({ job_id: 'job_1', status: 'Running', job_progress: '0.5' });

describe('building an observation', () => {
	test('from the job list: creation time as ISO; the listed dataset stands in for an entry without one', () => {
		const listed = {
			job_id: 'job_1',
			status: 'Completed',
			job_type: 'uploadDatasetItems',
			dataset_id: null,
			job_creation_time: '2026-03-10T12:00:00Z',
		};
		assert.deepEqual(observeListed(listed, 'ds_a'), {
			job_id: 'job_1',
			status: 'Completed',
			created_at: '2026-03-10T12:00:00.000Z',
			job_type: 'uploadDatasetItems',
			dataset_id: 'ds_a',
		});
		assert.equal(observeListed({ ...listed, dataset_id: 'ds_b' }, 'ds_a').dataset_id, 'ds_b');
		assert.equal(
			observeListed({ ...listed, job_creation_time: 'yesterday' }, null).created_at,
			null,
		);
	});

	test('from job info: the last known status trimmed; what is missing is null or empty', () => {
		assert.deepEqual(
			observeInfo('job_1', { job_last_known_status: ' Running ', job_creation_time: 'x' }),
			{ job_id: 'job_1', status: 'Running', created_at: null, job_type: null, dataset_id: null },
		);
		assert.equal(observeInfo('job_1', {}).status, '');
	});

	test('from GET job/{id}: its status and progress, with the creation time an earlier poll recorded', () => {
		assert.deepEqual(observeStatus('job_1', running, '2026-03-10T12:00:00.000Z'), {
			job_id: 'job_1',
			status: 'Running',
			created_at: '2026-03-10T12:00:00.000Z',
			job_type: null,
			dataset_id: null,
			progress: 0.5,
		});
	});
});

describe('completing an observation', () => {
	test('GET job/{id} replaces the listed status and progress', () => {
		const job = observeInfo('job_1', { job_last_known_status: 'Queued' });
		applyStatus(job, running);
		assert.deepEqual([job.status, job.progress], ['Running', 0.5]);
	});

	test('job info fills only what is unknown', () => {
		const job = observeStatus('job_1', running, null);
		assert.equal(lacksInfo(job), true);
		applyInfo(job, {
			job_type: 'cloneDataset',
			job_creation_time: '2026-03-10T12:00:00Z',
			dataset_id: 'ds_a',
		});
		assert.deepEqual(
			[job.job_type, job.created_at, job.dataset_id],
			['cloneDataset', '2026-03-10T12:00:00.000Z', 'ds_a'],
		);
		assert.equal(lacksInfo(job), false);
		applyInfo(job, {
			job_type: 'other',
			job_creation_time: '2020-01-01T00:00:00Z',
			dataset_id: 'x',
		});
		assert.deepEqual(
			[job.job_type, job.created_at, job.dataset_id],
			['cloneDataset', '2026-03-10T12:00:00.000Z', 'ds_a'],
		);
	});
});

describe('a job listed more than once', () => {
	const seen = (status: string, extra: Partial<JobObservation> = {}): JobObservation => ({
		job_id: 'job_1',
		status,
		created_at: '2026-03-10T12:00:00.000Z',
		job_type: 'uploadDatasetItems',
		dataset_id: 'ds_a',
		...extra,
	});
	for (const [listed, status, conflicting] of [
		[['Completed', 'Running'], 'Completed', true],
		[['Running', 'Completed'], 'Completed', true],
		[['Queued', 'Running'], 'Running', true],
		[['Errored', 'Completed'], 'Completed', true],
		[['Completed', 'Completed'], 'Completed', false],
	] as const) {
		test(`listed ${listed.join(' then ')}: ${status}${conflicting ? ', its own status to decide' : ''}`, () => {
			const merged = mergeObservations(listed.map((s) => seen(s)));
			assert.deepEqual(
				merged.jobs.map((j) => [j.job_id, j.status]),
				[['job_1', status]],
			);
			assert.deepEqual([...merged.conflicting], conflicting ? ['job_1'] : []);
		});
	}

	test('what one entry lacks comes from the other; other jobs keep their order', () => {
		const merged = mergeObservations([
			{ ...seen('Running'), job_id: 'job_0' },
			seen('Running', { job_type: null }),
			seen('Completed', { created_at: null, dataset_id: null }),
		]);
		assert.deepEqual(merged.jobs, [{ ...seen('Running'), job_id: 'job_0' }, seen('Completed')]);
	});
});
