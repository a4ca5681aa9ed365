/**
 * The scrub functions of nodes/shared/transport/redact.ts on plain text: the API key in every
 * encoding a request carries, Authorization values, and the user info of URLs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	presignedSecrets,
	removeStrings,
	scrubSecrets,
	stripUrlUserinfo,
} from '../../nodes/shared/transport/redact';

const API_KEY = 'fake-key_transport-tests+not/a-scale-key';
const KEY_B64 = Buffer.from(`${API_KEY}:`).toString('base64');
const SECRETS = [
	API_KEY,
	KEY_B64,
	KEY_B64.replace(/=+$/, ''),
	Buffer.from(API_KEY).toString('base64'),
];

describe('redaction of text', () => {
	test('scrubSecrets removes the key and its encodings', () => {
		const text = `k=${API_KEY} b=${KEY_B64} c=${KEY_B64.replace(/=+$/, '')} Authorization: Basic abc123==`;
		const out = scrubSecrets(text, API_KEY);
		for (const secret of SECRETS)
			assert.ok(!out.includes(secret), `${secret.slice(0, 6)}… in ${out}`);
		assert.ok(!out.includes('abc123'));
		assert.equal(scrubSecrets('nothing here', API_KEY), 'nothing here');
	});

	test('stripUrlUserinfo removes the user info of URLs and leaves other @ alone', () => {
		for (const [input, shown] of [
			['https://u:p@host/a.jpg', 'https://host/a.jpg'],
			['see "s3://key:se@cret@bucket/x" here', 'see "s3://bucket/x" here'],
			['https://user:pa/ss@host/x', 'https://host/x'],
			['https://token@host/x', 'https://host/x'],
			['https://host:8080/a@b.jpg', 'https://host:8080/a@b.jpg'],
			['https://host/path?email=a@b.example', 'https://host/path?email=a@b.example'],
			['mail me: a@b.example', 'mail me: a@b.example'],
		]) {
			assert.equal(stripUrlUserinfo(input), shown, input);
		}
	});
});

describe('presignedSecrets: every query value of a presigned URL', () => {
	const url =
		'https://bucket.s3.amazonaws.com/ds_1/upload.ndjson?X-Amz-Credential=AKIA7f%2F2026&X-Amz-Signature=k9Pq2&X-Amz-Security-Token=Zx7q&X-Amz-Expires=60&v=1';
	const secrets = presignedSecrets(url);
	const cases: Array<[string, string, string]> = [
		['a 4-character value as free text', 'token Zx7q is wrong', 'token [redacted] is wrong'],
		[
			'a 5-character value',
			'Signature k9Pq2 does not match',
			'Signature [redacted] does not match',
		],
		[
			'a value with an encoded slash, decoded',
			'key AKIA7f/2026 is unknown',
			'key [redacted] is unknown',
		],
		['the same value, encoded', 'key AKIA7f%2F2026 is unknown', 'key [redacted] is unknown'],
		[
			'a 2-character value in key=value form',
			'asked with X-Amz-Expires=60',
			'asked with [redacted]',
		],
		['a 1-character value in key=value form', 'query v=1 and more', 'query [redacted] and more'],
	];
	for (const [what, text, expected] of cases) {
		test(what, () => {
			assert.equal(removeStrings(text, secrets), expected);
		});
	}

	test('values under 4 characters are not cut out of free text (they would cut words apart)', () => {
		assert.equal(removeStrings('retry in 60 s, version 1', secrets), 'retry in 60 s, version 1');
	});
});
