/** The trigger's parameters as typed by a user (ScaleNucleusTrigger/parameters.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { parseJobIds } from '../../nodes/ScaleNucleusTrigger/parameters';

describe('parameters', () => {
	test('job ids are split on commas, spaces, semicolons and new lines, deduplicated; arrays work', () => {
		assert.deepEqual(parseJobIds('job_a, job_b\njob_c;job_a  job_d\t'), [
			'job_a',
			'job_b',
			'job_c',
			'job_d',
		]);
		assert.deepEqual(parseJobIds(['job_a', 'job_b,job_c', 7]), ['job_a', 'job_b', 'job_c', '7']);
		assert.deepEqual(parseJobIds('  '), []);
		assert.deepEqual(parseJobIds(undefined), []);
	});
});
