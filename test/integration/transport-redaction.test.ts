/**
 * Redaction on the wire: servers that echo the API key, the Authorization header, a presigned URL's
 * signature or a URL's user info back in their answers; none of it reaches the error (message,
 * description, errorResponse, stack, JSON) or a log line. The scrub functions themselves are
 * unit-tested in test/unit/transport-redact.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import { NodeApiError } from 'n8n-workflow';

import { encodePathSegment, redactUrl } from '../../nodes/shared/transport';
import { sendJson, startScriptedServer } from '../harness/scriptedServer';
import {
	API_KEY,
	assertNoSecrets,
	captureLogger,
	everythingIn,
	makeClient,
	rejection,
} from './transport-common';

describe('no key, signature or URL credential in errors and logs, whatever the server echoes', () => {
	test('401 says to check the API key and never contains the key, its Base64 or the Authorization header', async () => {
		const srv = await startScriptedServer((req, res) => {
			// A hostile server that echoes the credentials back in its error body.
			sendJson(res, 401, {
				error: `Invalid API key ${API_KEY} (header was ${String(req.headers.authorization)})`,
				status_code: 401,
			});
		});
		const { logger, lines } = captureLogger();
		const client = makeClient(`${srv.url}/v1/nucleus`, { logger });
		try {
			const error = await rejection(client.request('GET', 'dataset/details', { itemIndex: 0 }));
			assert.ok(error instanceof NodeApiError);
			assert.equal(error.httpCode, '401');
			assert.match(`${error.message} ${error.description}`, /API key/);
			assert.match(String(error.description), /check the api key/i);
			assert.match(error.message, /Invalid API key/);
			assert.equal(srv.requests.length, 1, '401 is not retried');
			assertNoSecrets(everythingIn(error));
			assertNoSecrets(everythingIn(error.toJSON?.()));
			assertNoSecrets(JSON.stringify(error));
			assertNoSecrets(inspect(client, { showHidden: true, depth: 5 }));
			assert.ok(lines.length > 0);
			assertNoSecrets(inspect(lines, { depth: 10 }));
			assert.ok(lines.every((l) => !/authorization/i.test(JSON.stringify(l.meta))));
			assert.deepEqual(lines[0], {
				level: 'debug',
				message: 'Nucleus request',
				meta: { method: 'GET', route: 'dataset/details', status: 401, attempt: 1 },
			});
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('presigned PUT rejected by the store: NodeApiError with the status, no signature in it', async () => {
		const signature = 'f00dfeedbeefcafe0123456789abcdef';
		const srv = await startScriptedServer((_req, res) => {
			res.writeHead(403, { 'content-type': 'application/xml' });
			res.end(
				`<?xml version="1.0"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message>` +
					`<SignatureProvided>${signature}</SignatureProvided></Error>`,
			);
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			const error = await rejection(
				client.putPresigned(`${srv.url}/bucket/key.ndjson?X-Amz-Signature=${signature}`, () => 'x'),
			);
			assert.ok(error instanceof NodeApiError);
			assert.equal(error.httpCode, '403');
			assert.match(error.message, /AccessDenied: Request has expired/);
			assert.match(error.message, /\/bucket\/key\.ndjson/);
			assert.ok(!error.message.includes('?'));
			assert.match(String(error.description), /expired/);
			assertNoSecrets(everythingIn(error), [signature]);
			assert.equal(srv.requests.length, 1, '403 is not retried');
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('presigned PUT: a token in the URL path is never echoed (label, storage error body, network error, logs)', async () => {
		const token = 'Zm9vYmFyLXNpZ25hdHVyZS0xMjM0NTY3ODkw';
		const hexToken = '9f86d081884c7d659a2feaa0c55ad015';
		let mode: 'echo' | 'drop' = 'echo';
		const srv = await startScriptedServer((req, res, rec) => {
			if (mode === 'drop') return void req.socket.destroy();
			res.writeHead(403, { 'content-type': 'application/xml' });
			res.end(
				`<Error><Code>AccessDenied</Code><Message>Signature ${token} does not match</Message>` +
					`<Resource>${rec.url}</Resource></Error>`,
			);
		});
		const { logger, lines } = captureLogger();
		const client = makeClient(`${srv.url}/v1/nucleus`, { logger, maxAttempts: 2 });
		const url = `${srv.url}/sig/${token}/${hexToken}/items.ndjson?X-Amz-Expires=60`;
		try {
			assert.equal(
				redactUrl(url),
				`${srv.url}/sig/[redacted]/[redacted]/items.ndjson`,
				'the shown URL keeps host and file name only',
			);
			const rejected = await rejection(client.putPresigned(url, () => 'x'));
			assert.ok(rejected instanceof NodeApiError);
			assert.equal(
				rejected.message,
				`Upload to ${srv.url}/sig/[redacted]/[redacted]/items.ndjson failed with HTTP 403: AccessDenied: Signature [redacted] does not match`,
			);
			mode = 'drop';
			const dropped = await rejection(client.putPresigned(url, () => 'x'));
			assert.ok(dropped instanceof NodeApiError);
			assert.match(dropped.message, /^Could not reach the upload host 127\.0\.0\.1:\d+/);
			for (const error of [rejected, dropped]) {
				assertNoSecrets(everythingIn(error), [token, hexToken, 'X-Amz-Expires']);
			}
			assert.ok(lines.length > 0);
			assertNoSecrets(inspect(lines, { depth: 10 }), [token, hexToken]);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('URL user info never reaches errors or logs, whatever echoes it', async () => {
		const password = 'hunter2-in-the-url';
		const srv = await startScriptedServer((_req, res) =>
			sendJson(res, 400, {
				error: `Invalid image_url https://alice:${password}@img.example/a.jpg (and s3://AKIA:${password}@bucket/k)`,
			}),
		);
		const { logger, lines } = captureLogger();
		const client = makeClient(`${srv.url}/v1/nucleus`, { logger });
		try {
			const ref = `https://bob:${password}@img.example/ref.jpg`;
			const error = await rejection(
				client.request('GET', `dataset/ds_1/refloc/${encodePathSegment(ref)}`),
			);
			assert.ok(error instanceof NodeApiError);
			assert.match(
				error.message,
				/Invalid image_url https:\/\/img\.example\/a\.jpg \(and s3:\/\/bucket\/k\)$/,
			);
			assertNoSecrets(everythingIn(error), [password, 'alice', 'bob']);
			assertNoSecrets(inspect(lines, { depth: 10 }), [password, 'bob']);
		} finally {
			await client.close();
			await srv.close();
		}
	});
});
