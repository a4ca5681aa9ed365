/**
 * Metadata → Fields Below sends each value as its row's Type: what a user types in the Value box
 * (text) or an expression gives, and what Nucleus then stores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { metadataFieldValue } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/metadataFieldValue';

const sent: Array<[type: unknown, raw: unknown, expected: unknown]> = [
	['string', 'front', 'front'],
	['string', '0.93', '0.93'],
	['string', 7, '7'],
	['string', true, 'true'],
	['string', '', ''],
	[undefined, '0.93', '0.93'], // a row without a Type: String, the default
	['number', '0.93', 0.93],
	['number', ' 42 ', 42],
	['number', '-1.5e3', -1500],
	['number', '.5', 0.5],
	['number', 12, 12],
	['boolean', 'true', true],
	['boolean', ' FALSE ', false],
	['boolean', false, false],
	['json', '{"a": [1, "x"]}', { a: [1, 'x'] }],
	['json', '"quoted"', 'quoted'],
	['json', 'null', null],
	['json', { from: 'expression' }, { from: 'expression' }],
	['json', [1, 2], [1, 2]],
];

for (const [type, raw, expected] of sent) {
	test(`Type ${String(type)}: ${JSON.stringify(raw)} is sent as ${JSON.stringify(expected)}`, () => {
		assert.deepEqual(metadataFieldValue(raw, type), { value: expected });
	});
}

const refused: Array<[type: unknown, raw: unknown, reason: RegExp]> = [
	['number', 'abc', /^'abc' is not a number$/],
	['number', '', /^'' is not a number$/],
	['number', '0x10', /not a number/],
	['number', 'Infinity', /not a number/],
	['number', '1,5', /not a number/],
	['number', true, /not a number/],
	['number', Number.NaN, /not a finite number/],
	['boolean', 'yes', /^'yes' is not true or false$/],
	['boolean', 1, /not true or false/],
	['json', '{a: 1}', /is not valid JSON/],
	['string', { a: 1 }, /an object, not text: choose Type JSON/],
	['string', [1], /an array, not text/],
	['date', 'x', /unknown type 'date'/],
];

for (const [type, raw, reason] of refused) {
	test(`Type ${String(type)}: ${JSON.stringify(raw) ?? String(raw)} is refused`, () => {
		const result = metadataFieldValue(raw, type);
		assert.ok('refused' in result, JSON.stringify(result));
		assert.match(result.refused, reason);
	});
}
