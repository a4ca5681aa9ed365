/** Where a job is judged final: status classification, progress and normalisation (shared/jobs/status.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	FINAL_STATUSES,
	isErrorStatus,
	isFinalStatus,
	isSuccessStatus,
	normalizeJobStatus,
	parseProgress,
} from '../../nodes/shared/jobs/status';

describe('job status classification', () => {
	test('Completed, Cancelled and every Errored* status are final', () => {
		for (const s of FINAL_STATUSES) assert.equal(isFinalStatus(s), true, s);
		assert.equal(isFinalStatus('Errored_SomethingNew'), true);
		assert.deepEqual([...FINAL_STATUSES].sort(), [
			'Cancelled',
			'Completed',
			'Errored',
			'Errored_Hanging',
			'Errored_Partial',
			'Errored_Server',
			'Errored_User',
		]);
	});

	test('Queued, Running, Started and Retried are NOT final (the SDK stopped on Queued)', () => {
		for (const s of ['Queued', 'Running', 'Started', 'Retried', '', 'Unknown']) {
			assert.equal(isFinalStatus(s), false, s);
		}
	});

	test('only Completed is success; only Errored* are errors', () => {
		assert.equal(isSuccessStatus('Completed'), true);
		for (const s of ['Cancelled', 'Errored_Partial', 'Running', 'Queued'])
			assert.equal(isSuccessStatus(s), false, s);
		for (const s of [
			'Errored',
			'Errored_Server',
			'Errored_User',
			'Errored_Partial',
			'Errored_Hanging',
		]) {
			assert.equal(isErrorStatus(s), true, s);
		}
		for (const s of ['Completed', 'Cancelled', 'Queued', 'Running'])
			assert.equal(isErrorStatus(s), false, s);
	});

	test('comparison ignores case and surrounding spaces', () => {
		assert.equal(isFinalStatus('completed'), true);
		assert.equal(isSuccessStatus(' COMPLETED '), true);
		assert.equal(isErrorStatus('errored_partial'), true);
		assert.equal(isFinalStatus('queued'), false);
	});
});

describe('parseProgress', () => {
	test('parses numeric strings and numbers', () => {
		assert.equal(parseProgress('0.33'), 0.33);
		assert.equal(parseProgress('1.00'), 1);
		assert.equal(parseProgress(' 0.5 '), 0.5);
		assert.equal(parseProgress(0.8), 0.8);
		assert.equal(parseProgress('45%'), 0.45);
		assert.equal(parseProgress('.5'), 0.5);
	});

	test('anything else is null', () => {
		for (const p of [undefined, null, '', 'abc', '0.3.3', NaN, Infinity, {}, [], '1e999']) {
			assert.equal(parseProgress(p), null, String(p));
		}
	});
});

describe('normalizeJobStatus', () => {
	test('normalizes a running job', () => {
		const s = normalizeJobStatus({
			job_id: 'job_1',
			status: 'Running',
			message: { image_upload_step: { errored: 0, pending: 3, completed: 2 } },
			job_progress: '0.33',
			completed_steps: 1,
			total_steps: 3,
		});
		assert.deepEqual(s, {
			job_id: 'job_1',
			status: 'Running',
			succeeded: false,
			errored: false,
			final: false,
			progress: 0.33,
			completed_steps: 1,
			total_steps: 3,
			message: { image_upload_step: { errored: 0, pending: 3, completed: 2 } },
		});
	});

	test('Queued is not final', () => {
		const s = normalizeJobStatus({ job_id: 'j', status: 'Queued', job_progress: '0.00' });
		assert.equal(s.final, false);
		assert.equal(s.succeeded, false);
	});

	test('a completed job: string steps, the "total_steps:" typo and a JSON message string', () => {
		const s = normalizeJobStatus({
			job_id: 'j',
			status: 'Completed',
			message: '{"final": "done"}',
			job_progress: '1.00',
			completed_steps: '5',
			'total_steps:': '5',
		});
		assert.equal(s.final, true);
		assert.equal(s.succeeded, true);
		assert.equal(s.progress, 1);
		assert.equal(s.completed_steps, 5);
		assert.equal(s.total_steps, 5);
		assert.deepEqual(s.message, { final: 'done' });
	});

	test('an Errored_Partial job is final, errored, not succeeded; plain-text messages are kept', () => {
		const s = normalizeJobStatus({
			job_id: 'j',
			status: 'Errored_Partial',
			message: 'some failed',
		});
		assert.equal(s.final, true);
		assert.equal(s.errored, true);
		assert.equal(s.succeeded, false);
		assert.equal(s.message, 'some failed');
		assert.equal(s.progress, null);
		assert.equal(s.completed_steps, null);
	});

	test('job info objects (job_last_known_status) and a fallback job id are accepted', () => {
		const s = normalizeJobStatus({ job_last_known_status: 'Cancelled' }, 'job_9');
		assert.equal(s.job_id, 'job_9');
		assert.equal(s.status, 'Cancelled');
		assert.equal(s.final, true);
		assert.equal(s.message, null);
	});

	test('an unreadable response throws instead of waiting forever', () => {
		assert.throws(() => normalizeJobStatus(null, 'job_2'), /unreadable job status for job job_2/);
		assert.throws(() => normalizeJobStatus('<html>'), /unreadable/);
		assert.throws(() => normalizeJobStatus({ job_id: 'x' }), /without a status/);
	});
});
