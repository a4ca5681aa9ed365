/** Reading a job's errors and matching them to the input items (shared/jobs/errors.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	mapErrorsToItems,
	parseJobErrors,
	unescapeErrorText,
} from '../../nodes/shared/jobs/errors';

describe('parseJobErrors', () => {
	test('un-escapes \\\\n, \\\\t and \\\\" like the SDK', () => {
		assert.equal(unescapeErrorText('a\\\\nb\\\\tc\\\\"d'), 'a\nb\tc"d');
		const [e] = parseJobErrors(['line1\\\\nline2']);
		assert.equal(e.text, 'line1\nline2');
		assert.equal(e.parsed, undefined);
	});

	test('JSON-looking strings are parsed', () => {
		const errors = parseJobErrors([
			'{"annotation": {"reference_id": "bad_ref"}, "error": "Item with id bad_ref does not exist."}',
			'Failure when processing the image "https://x/a.jpg": {}',
			'[1, 2]',
			'{not json',
		]);
		assert.equal(errors.length, 4);
		assert.deepEqual(errors[0].parsed, {
			annotation: { reference_id: 'bad_ref' },
			error: 'Item with id bad_ref does not exist.',
		});
		assert.equal(errors[1].parsed, undefined);
		assert.deepEqual(errors[2].parsed, [1, 2]);
		assert.equal(errors[3].parsed, undefined);
		assert.equal(errors[3].text, '{not json');
	});

	test('an escaped JSON string is parsed after un-escaping', () => {
		const [e] = parseJobErrors(['{\\\\"error\\\\": \\\\"bad\\\\"}']);
		assert.equal(e.text, '{"error": "bad"}');
		assert.deepEqual(e.parsed, { error: 'bad' });
	});

	test('null, an empty list, a JSON-array string, a wrapper and non-string entries', () => {
		assert.deepEqual(parseJobErrors(null), []);
		assert.deepEqual(parseJobErrors([]), []);
		assert.deepEqual(parseJobErrors(''), []);
		assert.deepEqual(
			parseJobErrors('["a", "b"]').map((e) => e.text),
			['a', 'b'],
		);
		assert.deepEqual(
			parseJobErrors({ errors: ['x'] }).map((e) => e.text),
			['x'],
		);
		const [obj] = parseJobErrors([{ error: 'e', reference_id: 'r' }]);
		assert.equal(obj.text, '{"error":"e","reference_id":"r"}');
		assert.deepEqual(obj.parsed, { error: 'e', reference_id: 'r' });
		assert.deepEqual(
			parseJobErrors('plain text').map((e) => e.text),
			['plain text'],
		);
	});
});

describe('mapErrorsToItems', () => {
	const items = [
		{ itemIndex: 0, referenceId: 'img_1', imageUrl: 'https://cdn.example.com/img_1.jpg' },
		{ itemIndex: 1, referenceId: 'img_10', imageUrl: 'https://cdn.example.com/img_10.jpg' },
		{ itemIndex: 2, referenceId: 'cat photo', imageUrl: 's3://bucket/cat.jpg' },
		{ itemIndex: 3, referenceId: 'dup-url-a', imageUrl: 'gs://b/shared.jpg' },
		{ itemIndex: 4, referenceId: 'dup-url-b', imageUrl: 'gs://b/shared.jpg' },
		{ itemIndex: 5, referenceId: '42', imageUrl: 'https://cdn.example.com/42.jpg' },
	];

	function map(texts: string[]) {
		return mapErrorsToItems(parseJobErrors(texts), items);
	}

	test('matches a quoted image URL (the historic item-upload error)', () => {
		const t = 'Failure when processing the image "https://cdn.example.com/img_10.jpg": {}';
		const r = map([t]);
		assert.deepEqual([...r.byItem.entries()], [[1, [t]]]);
		assert.deepEqual(r.unmatched, []);
	});

	test('an exact token: img_1 does not match img_10 and vice versa', () => {
		const r = map(['reference_id img_10 failed', 'reference_id: img_1.']);
		assert.deepEqual(r.byItem.get(1), ['reference_id img_10 failed']);
		assert.deepEqual(r.byItem.get(0), ['reference_id: img_1.']);
	});

	test('a URL followed by punctuation still matches (longest match first)', () => {
		const t = 'Could not fetch https://cdn.example.com/img_1.jpg.';
		assert.deepEqual(map([t]).byItem.get(0), [t]);
		const u = 'Could not fetch (https://cdn.example.com/img_1.jpg), giving up';
		assert.deepEqual(map([u]).byItem.get(0), [u]);
	});

	test('JSON errors: the reference_id value wins over other strings', () => {
		const t = JSON.stringify({
			item: { reference_id: 'img_10', image_url: 'https://cdn.example.com/img_1.jpg' },
			error: 'Image could not be downloaded',
		});
		const r = map([t]);
		assert.deepEqual([...r.byItem.keys()], [1]);
	});

	test('"Item with id X does not exist." and quoted reference IDs with spaces', () => {
		const r = map(['Item with id img_1 does not exist.', "Bad image for 'cat photo'"]);
		assert.deepEqual([...r.byItem.keys()].sort(), [0, 2]);
	});

	test('an error that is exactly the reference ID, and numeric reference IDs in JSON', () => {
		const r = map(['img_10', '{"reference_id": 42, "error": "x"}']);
		assert.deepEqual(r.byItem.get(1), ['img_10']);
		assert.deepEqual(r.byItem.get(5), ['{"reference_id": 42, "error": "x"}']);
	});

	test('a URL shared by several items maps to all of them', () => {
		const t = 'Failure when processing the image "gs://b/shared.jpg": {}';
		const r = map([t]);
		assert.deepEqual([...r.byItem.keys()].sort(), [3, 4]);
	});

	test('errors that name no input are unmatched; substrings do not match', () => {
		const texts = [
			'One or more of the images you attempted to upload did not process correctly',
			'reference_id img_1000 failed',
			'see https://cdn.example.com/img_1.jpg.backup',
		];
		const r = map(texts);
		assert.equal(r.byItem.size, 0);
		assert.deepEqual(r.unmatched, texts);
	});

	test('the same error for the same item is listed once; several errors for one item are kept', () => {
		const r = map(['reference_id img_1 bad', 'reference_id img_1 bad', 'reference_id img_1 worse']);
		assert.deepEqual(r.byItem.get(0), ['reference_id img_1 bad', 'reference_id img_1 worse']);
	});

	test('100,000 items and 10,000 errors are mapped exactly', () => {
		const many = Array.from({ length: 100_000 }, (_, i) => ({
			itemIndex: i,
			referenceId: `ref_${i}`,
			imageUrl: `https://images.example.com/set/${i}.jpg`,
		}));
		const texts: string[] = [];
		for (let k = 0; k < 10_000; k++) {
			const i = k * 10 + 3;
			switch (k % 4) {
				case 0:
					texts.push(
						`Failure when processing the image "https://images.example.com/set/${i}.jpg": {}`,
					);
					break;
				case 1:
					texts.push(
						JSON.stringify({
							item: { reference_id: `ref_${i}` },
							error: 'Image could not be decoded',
						}),
					);
					break;
				case 2:
					texts.push(`Item with id ref_${i} does not exist.`);
					break;
				default:
					texts.push(`Unexpected failure ${k}`);
			}
		}
		const r = mapErrorsToItems(parseJobErrors(texts), many);
		assert.equal(r.byItem.size, 7_500);
		assert.equal(r.unmatched.length, 2_500);
		for (let k = 0; k < 10_000; k += 997) {
			const i = k * 10 + 3;
			if (k % 4 === 3) assert.equal(r.byItem.has(i), false);
			else assert.deepEqual(r.byItem.get(i), [texts[k]], `error ${k}`);
		}
	});
});
