/** Which items each job carries when requests may share a job ID (datasetItem/shared/itemsByJob.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { itemsByJob } from '../../nodes/ScaleNucleus/actions/datasetItem/shared/itemsByJob';

test('itemsByJob keeps the items of every request, also when two share a job ID', () => {
	const cases: Array<
		[string, Array<{ jobId: string; items: number[] }>, Array<[string, number[]]>]
	> = [
		['no request', [], []],
		[
			'one job per request',
			[
				{ jobId: 'job_a', items: [0, 1] },
				{ jobId: 'job_b', items: [2] },
			],
			[
				['job_a', [0, 1]],
				['job_b', [2]],
			],
		],
		[
			'three requests, one job ID',
			[
				{ jobId: 'job_same', items: [0, 1] },
				{ jobId: 'job_same', items: [2, 3] },
				{ jobId: 'job_same', items: [4] },
			],
			[['job_same', [0, 1, 2, 3, 4]]],
		],
		[
			'a shared ID between two others',
			[
				{ jobId: 'job_a', items: [0] },
				{ jobId: 'job_b', items: [1] },
				{ jobId: 'job_a', items: [2] },
			],
			[
				['job_a', [0, 2]],
				['job_b', [1]],
			],
		],
	];
	for (const [what, requests, expected] of cases) {
		const before = JSON.stringify(requests);
		assert.deepEqual([...itemsByJob(requests)], expected, what);
		assert.equal(JSON.stringify(requests), before, `${what}: the requests are left as they were`);
	}
});
