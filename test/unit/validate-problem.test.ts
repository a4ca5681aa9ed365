/** What a failed check gives (datasetItem/validate/problem.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	isProblem,
	itemProblem,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/problem';

describe('isProblem', () => {
	test('recognizes only problems made by itemProblem, never user data of the same shape', () => {
		assert.equal(isProblem(itemProblem(0, 'Width', 'Item 0: Width is bad')), true);
		assert.equal(
			isProblem({ itemIndex: 2, field: 'File Path', message: 'Item 2: File Path is empty' }),
			false,
		);
		assert.equal(isProblem('Item 0: x'), false);
		assert.equal(isProblem(null), false);
		assert.equal(isProblem({}), false);
	});

	test('the brand is invisible in JSON output', () => {
		assert.equal(
			JSON.stringify(itemProblem(1, 'F', 'Item 1: m', 'd')),
			'{"itemIndex":1,"field":"F","message":"Item 1: m","description":"d"}',
		);
	});
});
