/** How each Metadata mode gives its object (datasetItem/validate/metadataModes.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	metadataFromKeyValues,
	metadataFromOtherFields,
	parseMetadataJson,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/metadataModes';

import { expectProblem } from './expect-problem';

describe('parseMetadataJson', () => {
	test('parses a JSON object; empty text means no metadata', () => {
		assert.deepEqual(parseMetadataJson('{"a": 1, "b": [true]}', 0), { a: 1, b: [true] });
		assert.deepEqual(parseMetadataJson('', 0), {});
		assert.deepEqual(parseMetadataJson('  ', 0), {});
		assert.deepEqual(parseMetadataJson(undefined, 0), {});
	});

	test('an object passed directly is validated', () => {
		assert.deepEqual(parseMetadataJson({ a: 1 }, 0), { a: 1 });
		expectProblem(parseMetadataJson({ a: NaN }, 0), 0, 'Metadata', /NaN/);
	});

	test('invalid JSON, a JSON array and a JSON string are problems', () => {
		expectProblem(parseMetadataJson("{a: 'b'}", 1), 1, 'Metadata', /not valid JSON/);
		expectProblem(parseMetadataJson('[1,2]', 2), 2, 'Metadata', /got an array/);
		expectProblem(parseMetadataJson('"hello"', 3), 3, 'Metadata', /got a string/);
		expectProblem(parseMetadataJson('null', 3), 3, 'Metadata', /got null/);
	});

	test('a huge invalid JSON is not echoed in full', () => {
		const p = expectProblem(parseMetadataJson('{' + 'x'.repeat(20000), 0), 0, 'Metadata');
		assert.ok(p.message.length < 400, `message length ${p.message.length}`);
	});
});

describe('metadataFromOtherFields', () => {
	test('copies all fields except the excluded ones', () => {
		const json = { id: 'r1', url: 'https://x/a.jpg', camera: 'front', score: 1 };
		assert.deepEqual(metadataFromOtherFields(json, ['id', 'url']), { camera: 'front', score: 1 });
		assert.deepEqual(json.id, 'r1', 'the input is not changed');
		assert.deepEqual(metadataFromOtherFields({}, ['x']), {});
	});
});

describe('metadataFromKeyValues', () => {
	test('builds an object from rows, each value as its Type (a row without one is String)', () => {
		assert.deepEqual(
			metadataFromKeyValues(
				[
					{ key: 'camera', value: 'front' },
					{ key: 'score', type: 'number', value: '0.5' },
					{ key: 'reviewed', type: 'boolean', value: 'true' },
					{ key: 'box', type: 'json', value: '[1, 2]' },
					{ key: 'lane', type: 'string', value: 3 },
				],
				0,
			),
			{ camera: 'front', score: 0.5, reviewed: true, box: [1, 2], lane: '3' },
		);
		assert.deepEqual(metadataFromKeyValues([], 0), {});
	});

	test('a value that is not of its Type is a problem naming the key', () => {
		expectProblem(
			metadataFromKeyValues([{ key: 'score', type: 'number', value: 'high' }], 2),
			2,
			'Metadata',
			/^Item 2: Metadata key 'score': the value 'high' is not a number$/,
		);
	});

	test('an empty key is a problem', () => {
		expectProblem(
			metadataFromKeyValues(
				[
					{ key: 'a', value: 1 },
					{ key: ' ', value: 2 },
				],
				3,
			),
			3,
			'Metadata',
			/field 2 has an empty key/,
		);
	});

	test('a key given twice is a problem naming both rows', () => {
		expectProblem(
			metadataFromKeyValues(
				[
					{ key: 'a', value: 1 },
					{ key: 'b', value: 2 },
					{ key: 'a', value: 3 },
				],
				0,
			),
			0,
			'Metadata',
			/'a' is set twice \(fields 1 and 3\)/,
		);
	});

	test('values are validated too', () => {
		expectProblem(
			metadataFromKeyValues([{ key: 'n', type: 'json', value: NaN }], 0),
			0,
			'Metadata',
			/'n' is NaN/,
		);
	});
});
