import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	buildDatasetItem,
	contentTypeForFile,
	ItemMetadata,
	toNdjsonLine,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/datasetItem';
import {
	findDuplicateReferenceIds,
	metadataFromKeyValues,
	metadataFromOtherFields,
	normalizeMetadata,
	parseMetadataJson,
	validateDimension,
	validateItemInput,
	validateImageUrl,
	validateReferenceId,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/validate';
import {
	isProblem,
	itemProblem,
	type ItemProblem,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/problem';

function expectProblem(
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

describe('validateImageUrl', () => {
	test('accepts http, https, s3 and gs locations', () => {
		for (const url of [
			'http://example.com/a.jpg',
			'https://example.com/path/a.jpg?sig=abc&x=1',
			'HTTPS://EXAMPLE.COM/A.JPG',
			'https://127.0.0.1:8080/a.png',
			's3://my-bucket/path/to/a.jpg',
			'gs://my_bucket.v2/a b.jpg'.replace(' ', '%20'),
		]) {
			assert.equal(validateImageUrl(url, 0), url, url);
		}
	});

	test('surrounding whitespace is removed', () => {
		assert.equal(validateImageUrl('  https://example.com/a.jpg\n', 0), 'https://example.com/a.jpg');
	});

	test('ftp:// is an unsupported scheme', () => {
		expectProblem(
			validateImageUrl('ftp://example.com/a.jpg', 2),
			2,
			'Image URL',
			/unsupported scheme 'ftp:\/\/'/,
			/https:\/\//,
		);
	});

	test('gcs:// tells the user to use gs://', () => {
		expectProblem(validateImageUrl('gcs://bucket/a.jpg', 1), 1, 'Image URL', /use gs:\/\//);
	});

	test('file:///etc/passwd is refused and points to Local mode', () => {
		const p = expectProblem(
			validateImageUrl('file:///etc/passwd', 0),
			0,
			'Image URL',
			/local file URL/,
		);
		assert.match(p.description!, /Local/);
	});

	test('empty, whitespace and missing are problems', () => {
		expectProblem(validateImageUrl('', 0), 0, 'Image URL', /empty/);
		expectProblem(validateImageUrl('   ', 1), 1, 'Image URL', /empty/);
		expectProblem(validateImageUrl(undefined, 2), 2, 'Image URL', /missing/);
		expectProblem(validateImageUrl(null, 3), 3, 'Image URL', /missing/);
	});

	test('relative paths and Windows paths are not URLs', () => {
		expectProblem(validateImageUrl('images/cat.jpg', 0), 0, 'Image URL', /is not a URL/);
		expectProblem(validateImageUrl('/var/data/cat.jpg', 0), 0, 'Image URL', /is not a URL/);
		expectProblem(validateImageUrl('./cat.jpg', 0), 0, 'Image URL', /is not a URL/);
		expectProblem(validateImageUrl('C:\\images\\cat.jpg', 0), 0, 'Image URL', /is not a URL/);
	});

	test('malformed URLs and missing host or bucket are problems', () => {
		expectProblem(validateImageUrl('https://', 0), 0, 'Image URL', /not a valid URL|malformed/);
		expectProblem(validateImageUrl('https:///etc/passwd', 0), 0, 'Image URL', /malformed/);
		expectProblem(validateImageUrl('http:example.com/a.jpg', 0), 0, 'Image URL', /malformed/);
		expectProblem(validateImageUrl('https://exa mple.com/a.jpg', 0), 0, 'Image URL', /whitespace/);
		expectProblem(validateImageUrl('https://[::1/a.jpg', 0), 0, 'Image URL', /not a valid URL/);
		expectProblem(validateImageUrl('s3://', 0), 0, 'Image URL', /no bucket/);
		expectProblem(validateImageUrl('s3:///key.jpg', 0), 0, 'Image URL', /malformed|no bucket/);
		expectProblem(validateImageUrl('gs://bucket', 0), 0, 'Image URL', /no image/);
		expectProblem(validateImageUrl('gs://bucket/', 0), 0, 'Image URL', /no image/);
		expectProblem(
			validateImageUrl('s3://bad bucket/a.jpg', 0),
			0,
			'Image URL',
			/whitespace|bucket/,
		);
	});

	test('non-string values are problems', () => {
		expectProblem(validateImageUrl(123, 0), 0, 'Image URL', /must be text/, /a number/);
		expectProblem(validateImageUrl({ url: 'https://x/a.jpg' }, 0), 0, 'Image URL', /an object/);
	});

	test('a huge value is not echoed in full', () => {
		const p = expectProblem(validateImageUrl('ftp://x/' + 'a'.repeat(10000), 0), 0, 'Image URL');
		assert.ok(p.message.length < 400, `message length ${p.message.length}`);
	});
});

describe('normalizeMetadata', () => {
	test('accepts plain objects with nested objects and arrays, returning a JSON-safe copy', () => {
		const input = { a: 1, b: 'x', c: true, d: null, e: { f: [1, 'two', { g: 3 }] }, h: -0.5 };
		const out = normalizeMetadata(input, 0);
		assert.ok(!isProblem(out));
		assert.deepEqual(out, input);
		assert.notEqual(out, input);
	});

	test('Dates become ISO strings; undefined is dropped from objects and null in arrays', () => {
		const out = normalizeMetadata(
			{ when: new Date('2024-01-02T03:04:05.000Z'), gone: undefined, list: [1, undefined] },
			0,
		);
		assert.deepEqual(out, { when: '2024-01-02T03:04:05.000Z', list: [1, null] });
	});

	test('objects with toJSON (e.g. Luxon DateTime) use their JSON form', () => {
		const dt = { toJSON: () => '2024-05-06T00:00:00.000+00:00', year: 2024 };
		assert.deepEqual(normalizeMetadata({ at: dt }, 0), { at: '2024-05-06T00:00:00.000+00:00' });
	});

	test('an array, a string, null, a number are not metadata objects', () => {
		expectProblem(
			normalizeMetadata([1, 2], 2),
			2,
			'Metadata',
			/must be an object, but got an array/,
		);
		const s = expectProblem(
			normalizeMetadata('{"a":1}', 3),
			3,
			'Metadata',
			/must be an object, but got a string/,
		);
		assert.match(s.description!, /JSON/);
		expectProblem(normalizeMetadata(null, 0), 0, 'Metadata', /got null/);
		expectProblem(normalizeMetadata(undefined, 0), 0, 'Metadata', /got nothing/);
		expectProblem(normalizeMetadata(5, 0), 0, 'Metadata', /a number/);
		expectProblem(normalizeMetadata(new Date(), 0), 0, 'Metadata', /a date/);
	});

	test('NaN and ±Infinity are rejected with the key path', () => {
		const p = expectProblem(normalizeMetadata({ score: NaN }, 2), 2, 'Metadata');
		assert.equal(
			p.message,
			"Item 2: Metadata field 'score' is NaN; Nucleus only accepts finite numbers",
		);
		expectProblem(
			normalizeMetadata({ a: { b: [0, Infinity] } }, 1),
			1,
			'Metadata',
			/field 'a\.b\[1\]' is Infinity/,
		);
		expectProblem(
			normalizeMetadata({ 'x y': -Infinity }, 0),
			0,
			'Metadata',
			/field '\["x y"\]' is -Infinity/,
		);
	});

	test('BigInt, functions and symbols are rejected', () => {
		expectProblem(normalizeMetadata({ big: 10n }, 0), 0, 'Metadata', /field 'big' is a BigInt/);
		expectProblem(normalizeMetadata({ fn: () => 1 }, 0), 0, 'Metadata', /field 'fn' is a function/);
		expectProblem(normalizeMetadata({ s: Symbol('x') }, 0), 0, 'Metadata', /field 's' is a symbol/);
		expectProblem(normalizeMetadata({ m: new Map() }, 0), 0, 'Metadata', /field 'm' is a Map/);
		expectProblem(
			normalizeMetadata({ b: Buffer.from('x') }, 0),
			0,
			'Metadata',
			/field 'b' is binary data/,
		);
	});

	test('circular references are rejected; shared (non-circular) references are fine', () => {
		const a: Record<string, unknown> = { name: 'a' };
		a.self = a;
		expectProblem(
			normalizeMetadata({ a }, 4),
			4,
			'Metadata',
			/field 'a\.self' is a circular reference/,
		);
		const arr: unknown[] = [];
		arr.push(arr);
		expectProblem(normalizeMetadata({ arr }, 0), 0, 'Metadata', /circular/);
		const shared = { v: 1 };
		assert.deepEqual(normalizeMetadata({ x: shared, y: shared }, 0), { x: { v: 1 }, y: { v: 1 } });
	});

	test('very deep nesting is a problem, not a crash', () => {
		let deep: Record<string, unknown> = {};
		const root = deep;
		for (let i = 0; i < 200; i++) {
			const next: Record<string, unknown> = {};
			deep.n = next;
			deep = next;
		}
		expectProblem(normalizeMetadata(root, 0), 0, 'Metadata', /nested more than/);
	});

	test('a "__proto__" key stays plain data and does not change the prototype', () => {
		const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
			string,
			unknown
		>;
		const out = normalizeMetadata(input, 0) as Record<string, unknown>;
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.equal((out as { polluted?: boolean }).polluted, undefined);
		assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":true},"a":1}');
	});

	test('user metadata with problem-like keys is not mistaken for a problem', () => {
		const out = normalizeMetadata({ itemIndex: 1, field: 'x', message: 'hello' }, 0);
		assert.equal(isProblem(out), false);
	});
});

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

describe('buildDatasetItem and toNdjsonLine', () => {
	test('key order is reference_id, image_url, metadata, width, height; undefined dims omitted', () => {
		const item = buildDatasetItem({
			referenceId: 'r',
			imageUrl: 'https://x/a.jpg',
			metadata: { a: 1 },
		});
		assert.deepEqual(Object.keys(item), ['reference_id', 'image_url', 'metadata']);
		const withDims = buildDatasetItem({
			height: 2,
			width: 1,
			metadata: {},
			imageUrl: 's3://b/k',
			referenceId: 'r',
		});
		assert.deepEqual(Object.keys(withDims), [
			'reference_id',
			'image_url',
			'metadata',
			'width',
			'height',
		]);
		assert.equal(
			toNdjsonLine(withDims),
			'{"reference_id":"r","image_url":"s3://b/k","metadata":{},"width":1,"height":2}\n',
		);
	});

	test('an NDJSON line is one line even when values contain newlines', () => {
		const line = toNdjsonLine(
			buildDatasetItem({
				referenceId: 'a\nb',
				imageUrl: 'https://x/a.jpg',
				metadata: { t: 'x\r\ny\u2028' },
			}),
		);
		assert.equal(line.indexOf('\n'), line.length - 1);
		assert.deepEqual(JSON.parse(line).reference_id, 'a\nb');
	});
});

describe('All Other Fields metadata read in place (not copied) for 100,000-item appends', () => {
	const remoteInput = (json: Record<string, unknown>, exclude = ['id', 'url']) =>
		validateItemInput(
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
		assert.ok(!isProblem(valid));
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

describe('contentTypeForFile', () => {
	test('maps image extensions case-insensitively', () => {
		assert.equal(contentTypeForFile('a.jpg'), 'image/jpeg');
		assert.equal(contentTypeForFile('A.JPEG'), 'image/jpeg');
		assert.equal(contentTypeForFile('/x/y.png'), 'image/png');
		assert.equal(contentTypeForFile('C:\\x\\y.GIF'), 'image/gif');
		assert.equal(contentTypeForFile('a.webp'), 'image/webp');
		assert.equal(contentTypeForFile('a.bmp'), 'image/bmp');
		assert.equal(contentTypeForFile('a.tif'), 'image/tiff');
		assert.equal(contentTypeForFile('a.tiff'), 'image/tiff');
		assert.equal(contentTypeForFile('a.heic'), 'image/heic');
	});

	test('unknown or missing extension → fallback or application/octet-stream', () => {
		assert.equal(contentTypeForFile('a.xyz'), 'application/octet-stream');
		assert.equal(contentTypeForFile('noext'), 'application/octet-stream');
		assert.equal(contentTypeForFile('a.xyz', 'image/x-custom'), 'image/x-custom');
		assert.equal(contentTypeForFile('dir.jpg/file'), 'application/octet-stream');
		assert.equal(contentTypeForFile('a.constructor'), 'application/octet-stream');
	});
});
