/** URL building of nodes/shared/transport/util.ts. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { buildUrl } from '../../nodes/shared/transport/util';

describe('URLs', () => {
	test('buildUrl joins with a single slash', () => {
		assert.equal(buildUrl('https://h/v1/nucleus/', '/dataset/x'), 'https://h/v1/nucleus/dataset/x');
		assert.equal(
			buildUrl('https://h/v1/nucleus', 'jobs/', { a: undefined }),
			'https://h/v1/nucleus/jobs/',
		);
		assert.equal(buildUrl('https://h', 'a?x=1', { y: 2 }), 'https://h/a?x=1&y=2');
	});
});
