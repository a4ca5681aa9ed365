/** The check of Image URL (datasetItem/validate/imageUrl.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { validateImageUrl } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/imageUrl';

import { expectProblem } from './expect-problem';

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
