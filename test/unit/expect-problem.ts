/** The checks' problems, as the unit tests of nodes/ScaleNucleus/actions/datasetItem/validate see them. */
import assert from 'node:assert/strict';

import {
	isProblem,
	type ItemProblem,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/problem';

/** Asserts a problem for the item and field, whose message matches every fragment and says how to fix it. */
export function expectProblem(
	result: unknown,
	itemIndex: number,
	field: string,
	...fragments: RegExp[]
): ItemProblem {
	assert.ok(isProblem(result), `expected a problem, got ${JSON.stringify(result)}`);
	assert.equal(result.itemIndex, itemIndex);
	assert.equal(result.field, field);
	assert.ok(result.message.startsWith(`Item ${itemIndex}: `), result.message);
	assert.ok(result.message.includes(field) || field === 'Metadata', result.message);
	for (const f of fragments) assert.match(result.message, f);
	assert.ok(
		result.description && result.description.length > 10,
		'a description says how to fix it',
	);
	return result;
}
