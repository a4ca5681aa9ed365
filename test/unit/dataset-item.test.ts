/** Where an input item becomes a DatasetItem (datasetItem/append/datasetItem.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	buildDatasetItem,
	contentTypeForFile,
	toNdjsonLine,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/datasetItem';

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
