/** The router's output invariant (nodes/ScaleNucleus/actions/outputInvariant.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import {
	describeOutputProblems,
	outputProblems,
	type OutputProblems,
	type OutputPromise,
} from '../../nodes/ScaleNucleus/actions/outputInvariant';

/** An output item paired as given: a number, a list (a summary of several items), or nothing. */
const out = (paired?: number | number[]): INodeExecutionData => ({
	json: {},
	...(paired === undefined
		? {}
		: { pairedItem: Array.isArray(paired) ? paired.map((item) => ({ item })) : { item: paired } }),
});

const none = { missing: [], duplicated: [], unknown: [], unpaired: 0 };

test('outputProblems finds input items missing, duplicated or invented in the output', () => {
	const cases: Array<
		[string, INodeExecutionData[], number, OutputPromise, OutputProblems | undefined]
	> = [
		['one item per input', [out(0), out(1), out(2)], 3, 'exactlyOnce', undefined],
		['no input, no output', [], 0, 'exactlyOnce', undefined],
		['order does not matter', [out(2), out(0), out(1)], 3, 'exactlyOnce', undefined],
		[
			'summaries paired to several, and single items',
			[out([0, 2]), out([3]), out(1)],
			4,
			'exactlyOnce',
			undefined,
		],
		[
			'two summaries of one job ID, each with its own items',
			[out([0, 1]), out([2, 3])],
			4,
			'exactlyOnce',
			undefined,
		],
		['an item missing', [out(0), out(2)], 3, 'exactlyOnce', { ...none, missing: [1] }],
		['every item missing', [], 2, 'exactlyOnce', { ...none, missing: [0, 1] }],
		['an item twice', [out(0), out(1), out(1)], 2, 'exactlyOnce', { ...none, duplicated: [1] }],
		[
			'an item in a summary and in its own item',
			[out([0, 1]), out(1)],
			2,
			'exactlyOnce',
			{ ...none, duplicated: [1] },
		],
		[
			'a pairing to an item that does not exist',
			[out(0), out(5)],
			1,
			'exactlyOnce',
			{ ...none, unknown: [5] },
		],
		['a negative pairing', [out(0), out(-1)], 1, 'exactlyOnce', { ...none, unknown: [-1] }],
		['an item paired to nothing', [out(0), out()], 1, 'exactlyOnce', { ...none, unpaired: 1 }],
		['atLeastOnce: an item in two job items', [out([0, 1]), out([1])], 2, 'atLeastOnce', undefined],
		['atLeastOnce: an item missing', [out([0])], 2, 'atLeastOnce', { ...none, missing: [1] }],
		[
			'anyNumber: several for one item, none for another',
			[out(0), out(0)],
			2,
			'anyNumber',
			undefined,
		],
		[
			'anyNumber: a pairing to no input',
			[out(0), out(3)],
			2,
			'anyNumber',
			{ ...none, unknown: [3] },
		],
	];
	for (const [what, output, inputs, promise, expected] of cases) {
		assert.deepEqual(outputProblems(output, inputs, promise), expected, what);
	}
});

test('describeOutputProblems names the items (at most 20 of a kind)', () => {
	assert.equal(
		describeOutputProblems({ missing: [1, 4], duplicated: [2], unknown: [9], unpaired: 1 }),
		'input item(s) 1, 4 have no output item; input item(s) 2 come out more than once; output paired to item(s) 9, which do not exist; 1 output item(s) are paired to no input item',
	);
	const many = Array.from({ length: 25 }, (_, k) => k);
	assert.equal(
		describeOutputProblems({ ...none, missing: many }),
		`input item(s) ${many.slice(0, 20).join(', ')} and 5 more have no output item`,
	);
});
