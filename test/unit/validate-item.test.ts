/** The check of a whole Append item (datasetItem/validate/item.ts) and its metadata read in place. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	buildDatasetItem,
	toNdjsonLine,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/datasetItem';
import { checkItem } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/item';
import { normalizeMetadata } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/metadata';
import {
	ItemMetadata,
	metadataFromOtherFields,
} from '../../nodes/ScaleNucleus/actions/datasetItem/validate/metadataModes';
import { isProblem } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/problem';

import { expectProblem } from './expect-problem';

describe('All Other Fields metadata read in place (not copied) for 100,000-item appends', () => {
	const remoteInput = (json: Record<string, unknown>, exclude = ['id', 'url']) =>
		checkItem(
			{
				kind: 'remote',
				itemIndex: 0,
				datasetId: 'ds_abc',
				referenceId: 'r1',
				imageUrl: 's3://b/k.jpg',
				metadata: { mode: 'allFields', skip: new Set(exclude) },
				width: undefined,
				height: undefined,
			},
			json as never,
		);
	const lineOf = (json: Record<string, unknown>) => {
		const valid = remoteInput(json);
		assert.ok(!isProblem(valid) && valid.kind === 'remote');
		return { valid, line: toNdjsonLine(buildDatasetItem(valid)) };
	};

	test('plain JSON stays the item own object, and its line is exactly the checked copy', () => {
		const json = JSON.parse(
			'{"id":"r1","url":"s3://b/k.jpg","camera":"front","n":{"a":[1,null,{"b":true}],"":"empty key"},"__proto__":{"x":1},"gone":null}',
		) as Record<string, unknown>;
		json.dropped = undefined;
		const { valid, line } = lineOf(json);
		assert.ok(valid.metadata instanceof ItemMetadata);
		assert.equal((valid.metadata as ItemMetadata).source, json);
		const copy = normalizeMetadata(metadataFromOtherFields(json as never, ['id', 'url']), 0);
		assert.equal(
			line,
			`${JSON.stringify({ reference_id: 'r1', image_url: 's3://b/k.jpg', metadata: copy })}\n`,
		);
		assert.deepEqual(Object.keys(JSON.parse(line).metadata), ['camera', 'n', '__proto__', 'gone']);
		// The multipart items part and JSON bodies serialise it through toJSON: the same fields.
		assert.equal(JSON.stringify(valid.metadata), JSON.stringify(copy));
	});

	test('anything JSON.stringify would change (dates, toJSON, class instances) is checked and copied', () => {
		for (const value of [new Date(0), { toJSON: () => 'x' }, new (class Box {})()]) {
			const { valid } = lineOf({ id: 'r1', url: 's3://b/k.jpg', v: value });
			assert.ok(!(valid.metadata instanceof ItemMetadata), String(value));
		}
		expectProblem(
			remoteInput({ id: 'r1', v: { deep: NaN } }),
			0,
			'Metadata',
			/field 'v\.deep' is NaN/,
		);
	});
});
