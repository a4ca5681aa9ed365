/** The check of Width and Height (datasetItem/validate/dimensions.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { validateDimension } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/dimensions';

import { expectProblem } from './expect-problem';

describe('validateDimension', () => {
	test('empty values mean "not sent"', () => {
		assert.equal(validateDimension(undefined, 'Width', 0), undefined);
		assert.equal(validateDimension(null, 'Width', 0), undefined);
		assert.equal(validateDimension('', 'Height', 0), undefined);
		assert.equal(validateDimension('  ', 'Height', 0), undefined);
	});

	test('positive whole numbers and digit strings are accepted', () => {
		assert.equal(validateDimension(640, 'Width', 0), 640);
		assert.equal(validateDimension('480', 'Height', 0), 480);
		assert.equal(validateDimension(' 1 ', 'Height', 0), 1);
	});

	test('negative, zero, fractional, non-numeric and huge values are problems', () => {
		expectProblem(validateDimension(-5, 'Width', 1), 1, 'Width', /-5 is negative/);
		expectProblem(validateDimension(0, 'Width', 1), 1, 'Width', /is zero/);
		expectProblem(validateDimension(12.5, 'Height', 2), 2, 'Height', /12\.5 has a fraction/);
		expectProblem(validateDimension('12.5', 'Height', 2), 2, 'Height', /positive whole number/);
		expectProblem(validateDimension('-3', 'Height', 2), 2, 'Height', /positive whole number/);
		expectProblem(validateDimension('abc', 'Width', 0), 0, 'Width', /positive whole number/);
		expectProblem(validateDimension(NaN, 'Width', 0), 0, 'Width', /not a finite number/);
		expectProblem(validateDimension(Infinity, 'Width', 0), 0, 'Width', /not a finite number/);
		expectProblem(validateDimension(true, 'Width', 0), 0, 'Width', /a boolean/);
		expectProblem(validateDimension(3e9, 'Width', 0), 0, 'Width', /larger than/);
	});
});
