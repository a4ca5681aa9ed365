/** The checks of dataset and reference IDs (datasetItem/validate/ids.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	findDuplicateReferenceIds,
	validateReferenceId,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/ids';

import { expectProblem } from './expect-problem';

describe('validateReferenceId', () => {
	test('accepts a string and keeps it exactly (no trimming)', () => {
		assert.equal(validateReferenceId('img-001', 0), 'img-001');
		assert.equal(validateReferenceId(' spaced ', 0), ' spaced ');
		assert.equal(validateReferenceId('ünïcødé/ 😀', 0), 'ünïcødé/ 😀');
	});

	test('missing (undefined or null) is a problem naming the item and field', () => {
		const p = expectProblem(validateReferenceId(undefined, 3), 3, 'Reference ID', /missing/);
		assert.equal(p.message, 'Item 3: Reference ID is missing');
		expectProblem(validateReferenceId(null, 0), 0, 'Reference ID', /missing/);
	});

	test('empty and whitespace-only are problems', () => {
		expectProblem(validateReferenceId('', 1), 1, 'Reference ID', /empty/);
		expectProblem(validateReferenceId('  \t\n', 2), 2, 'Reference ID', /empty/);
	});

	test('whole numbers become their decimal text; other non-strings are problems', () => {
		assert.equal(validateReferenceId(42, 4), '42');
		assert.equal(validateReferenceId(0, 4), '0');
		const num = expectProblem(
			validateReferenceId(4.5, 4),
			4,
			'Reference ID',
			/must be text/,
			/a number \(4\.5\)/,
		);
		assert.match(num.description!, /String\(/);
		expectProblem(validateReferenceId(2 ** 60, 4), 4, 'Reference ID', /must be text/);
		expectProblem(validateReferenceId({ id: 1 }, 5), 5, 'Reference ID', /an object/);
		expectProblem(validateReferenceId(['a'], 6), 6, 'Reference ID', /an array/);
		expectProblem(validateReferenceId(true, 7), 7, 'Reference ID', /a boolean/);
	});

	test('over 1024 characters is a problem and the value is not echoed in full', () => {
		const long = 'x'.repeat(5000);
		const p = expectProblem(validateReferenceId(long, 0), 0, 'Reference ID', /5000 characters/);
		assert.ok(p.message.length < 300, 'message stays short');
		assert.equal(validateReferenceId('y'.repeat(1024), 0), 'y'.repeat(1024));
	});
});

describe('findDuplicateReferenceIds', () => {
	test('every occurrence after the first is a problem naming both items', () => {
		const problems = findDuplicateReferenceIds([
			{ itemIndex: 0, referenceId: 'a' },
			{ itemIndex: 1, referenceId: 'b' },
			{ itemIndex: 2, referenceId: 'a' },
			{ itemIndex: 5, referenceId: 'a' },
			{ itemIndex: 6, referenceId: 'A' },
		]);
		assert.deepEqual(
			problems.map((p) => p.itemIndex),
			[2, 5],
		);
		for (const p of problems) {
			assert.equal(p.field, 'Reference ID');
			assert.match(p.message, /'a' is already used by item 0/);
			assert.ok(p.description);
		}
		assert.match(problems[0].message, /^Item 2: /);
	});

	test('no duplicates → no problems', () => {
		assert.deepEqual(
			findDuplicateReferenceIds([
				{ itemIndex: 0, referenceId: 'a' },
				{ itemIndex: 1, referenceId: 'a ' },
			]),
			[],
		);
	});
});
