/** The job Fetch Test Event shows (ScaleNucleusTrigger/sample.ts, chooseSample). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { JobObservation } from '../../nodes/shared/jobs/observation';
import type { EmitOnValue } from '../../nodes/ScaleNucleusTrigger/parameters';
import { chooseSample } from '../../nodes/ScaleNucleusTrigger/sample';

const job = (id: string, status: string, created: string | null): JobObservation => ({
	job_id: id,
	status,
	created_at: created,
	job_type: null,
	dataset_id: null,
});

const jobs = [
	job('job_old_ok', 'Completed', '2026-03-01T00:00:00.000Z'),
	job('job_new_err', 'Errored_User', '2026-03-05T00:00:00.000Z'),
	job('job_no_time', 'Cancelled', null),
	job('job_running', 'Running', '2026-03-09T00:00:00.000Z'),
	job('job_queued', 'Queued', '2026-03-08T00:00:00.000Z'),
];

describe('the sample', () => {
	const cases: Array<
		[string, EmitOnValue[], boolean, readonly JobObservation[], string | undefined]
	> = [
		[
			'the newest finished job',
			['completed', 'erroredAny', 'cancelled'],
			false,
			jobs,
			'job_new_err',
		],
		['only statuses chosen in Trigger On', ['completed'], false, jobs, 'job_old_ok'],
		['a job of unknown time only when no other matches', ['cancelled'], false, jobs, 'job_no_time'],
		[
			'no finished match and no Emit Progress: none',
			['completed'],
			false,
			jobs.slice(1),
			undefined,
		],
		[
			'no finished match, Emit Progress: the newest running',
			['completed'],
			true,
			jobs.slice(1),
			'job_running',
		],
		['a finished match wins over a newer running job', ['erroredAny'], true, jobs, 'job_new_err'],
		['nothing listed: none', ['completed'], true, [], undefined],
	];
	for (const [name, emitOn, emitProgress, candidates, expected] of cases) {
		test(name, () => {
			assert.equal(chooseSample(candidates, { emitOn, emitProgress })?.job_id, expected);
		});
	}
});
