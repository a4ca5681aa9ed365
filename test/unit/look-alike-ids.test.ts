/** Reference IDs of one run that only look alike (validate/ids.ts): found, and named in a warning. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
	lookAlikeReferenceIds,
	lookAlikeWarning,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/ids';

const refs = (...list: Array<[string, string]>) =>
	list.map(([datasetId, referenceId], itemIndex) => ({ itemIndex, datasetId, referenceId }));

test('lookAlikeReferenceIds pairs IDs of one dataset that differ only in how they look', () => {
	const cases: Array<[string, ReturnType<typeof refs>, Array<[number, number]>]> = [
		['distinct IDs', refs(['ds_1', 'a'], ['ds_1', 'b']), []],
		['a trailing space', refs(['ds_1', 'cat-7'], ['ds_1', 'x'], ['ds_1', 'cat-7 ']), [[0, 2]]],
		['a leading tab', refs(['ds_1', '\tcat'], ['ds_1', 'cat']), [[0, 1]]],
		['NFC and NFD', refs(['ds_1', 'caf\u00e9'], ['ds_1', 'cafe\u0301']), [[0, 1]]],
		['a zero-width space', refs(['ds_1', 'a\u200bb'], ['ds_1', 'ab']), [[0, 1]]],
		['a byte order mark', refs(['ds_1', '\ufeffab'], ['ds_1', 'ab']), [[0, 1]]],
		['case is a real difference', refs(['ds_1', 'Cat'], ['ds_1', 'cat']), []],
		['exact duplicates are not look-alikes', refs(['ds_1', 'a'], ['ds_1', 'a']), []],
		['other datasets', refs(['ds_1', 'cat'], ['ds_2', 'cat ']), []],
		[
			'three of one look: each later one paired with the first',
			refs(['ds_1', 'x'], ['ds_1', 'x '], ['ds_1', ' x']),
			[
				[0, 1],
				[0, 2],
			],
		],
	];
	for (const [what, input, expected] of cases) {
		const pairs = lookAlikeReferenceIds(input).map((p) => [p.first.itemIndex, p.second.itemIndex]);
		assert.deepEqual(pairs, expected, what);
	}
});

test('lookAlikeWarning names both items, the dataset and both IDs with the difference visible', () => {
	assert.equal(lookAlikeWarning([]), undefined);
	const warning = lookAlikeWarning(
		lookAlikeReferenceIds([
			{ itemIndex: 3, datasetId: 'ds_1', referenceId: 'caf\u00e9' },
			{ itemIndex: 7, datasetId: 'ds_1', referenceId: 'cafe\u0301' },
		]),
	);
	assert.match(String(warning), /items 3 and 7 \("caf\\u00e9" and "cafe\\u0301" in dataset ds_1\)/);
	const many = lookAlikeWarning(
		lookAlikeReferenceIds(
			Array.from({ length: 24 }, (_, k) => ({
				itemIndex: k,
				datasetId: 'ds_1',
				referenceId: k % 2 ? `id${k - 1} ` : `id${k}`,
			})),
		),
	);
	assert.match(String(many), /items 18 and 19 .* and 2 more\./);
	assert.doesNotMatch(String(many), /items 20 and 21/);
});
