/**
 * The retry policy applied by NucleusClient over real sockets: a Retry-After read off the wire and
 * waited for, a drained error body that keeps the keep-alive socket, connections dropped before
 * the headers or mid-body, answers that miss the request timeout, refused connections; and the
 * error the caller gets when the policy gives up. The decisions themselves, for every kind of
 * request, are unit-tested without sockets in test/unit/transport-retryLoop.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { NodeApiError } from 'n8n-workflow';

import { freePort, sendJson, startScriptedServer } from '../harness/scriptedServer';
import { assertNoSecrets, everythingIn, makeClient, rejection } from './transport-common';

describe('retries on a real socket: Retry-After, keep-alive, dropped connections, timeouts', () => {
	test('429 with Retry-After: the next attempt waits at least that long', async () => {
		const srv = await startScriptedServer((_req, res, rec) => {
			if (rec.n === 1) sendJson(res, 429, { error: 'Too many requests' }, { 'retry-after': '1' });
			else sendJson(res, 200, { ok: true });
		});
		const client = makeClient(`${srv.url}/v1/nucleus`, { retryBaseMs: 1, retryMaxDelayMs: 1 });
		try {
			assert.deepEqual(
				await client.request('POST', 'dataset/ds_1/append', { json: { items: [] } }),
				{ ok: true },
			);
			assert.equal(srv.requests.length, 2);
			const gap = srv.requests[1].at - srv.requests[0].at;
			assert.ok(
				gap >= 990,
				`second attempt came ${gap.toFixed(0)} ms after the first, Retry-After was 1 s`,
			);
			assert.deepEqual(client.stats, { requests: 2, retries: 1, looks: 0 });
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('Retry-After within the time budget is waited for', async () => {
		const srv = await startScriptedServer((_req, res, rec) => {
			if (rec.n === 1) sendJson(res, 429, {}, { 'retry-after': '0.3' });
			else sendJson(res, 200, { ok: true });
		});
		const client = makeClient(`${srv.url}/v1/nucleus`, { totalBudgetMs: 5_000 });
		try {
			assert.deepEqual(await client.request('GET', 'x'), { ok: true });
			assert.equal(srv.requests.length, 2);
			assert.ok(srv.requests[1].at - srv.requests[0].at >= 290, 'waited the 0.3 s asked for');
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('503 then success: retried on the same keep-alive connection', async () => {
		const srv = await startScriptedServer((_req, res, rec) => {
			if (rec.n === 1)
				sendJson(res, 503, { error: 'Service Unavailable '.repeat(5000) }); // ~100 KB: more than the stream buffers, less than dump()'s limit
			else sendJson(res, 200, { dataset_id: 'ds_1', new_items: 1 });
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			const got = await client.request('POST', 'dataset/ds_1/append', {
				kind: 'legacyAppend',
				json: { items: [{ reference_id: 'a' }] },
			});
			assert.deepEqual(got, { dataset_id: 'ds_1', new_items: 1 });
			assert.equal(srv.requests.length, 2);
			assert.deepEqual(srv.requests[1].body, srv.requests[0].body);
			assert.equal(srv.connections, 1, 'the body of the 503 was drained and the socket reused');
			assert.deepEqual(client.stats, { requests: 2, retries: 1, looks: 0 });
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('each retryable status is retried; other 4xx are not', async () => {
		let status = 520;
		const srv = await startScriptedServer((_req, res, rec) => {
			if (rec.n === 1) sendJson(res, status, {});
			else sendJson(res, 200, { ok: rec.n });
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			assert.deepEqual(await client.request('GET', 'a'), { ok: 2 });
			status = 400;
			srv.requests.length = 0;
			const error = await rejection(client.request('GET', 'b'));
			assert.ok(error instanceof NodeApiError);
			assert.equal(error.httpCode, '400');
			assert.equal(srv.requests.length, 1);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('a dropped connection (before headers or mid-body) is retried for a request safe to repeat', async () => {
		const srv = await startScriptedServer((req, res, rec) => {
			if (rec.n === 1) {
				req.socket.destroy();
			} else if (rec.n === 2) {
				res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
				res.write('{"partial":');
				setTimeout(() => req.socket.destroy(), 10);
			} else {
				sendJson(res, 200, { ok: true });
			}
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			assert.deepEqual(
				await client.request('POST', 'dataset/ds_1/append', {
					kind: 'legacyAppend',
					json: { items: [] },
				}),
				{ ok: true },
			);
			assert.equal(srv.requests.length, 3);
			assert.deepEqual(client.stats, { requests: 3, retries: 2, looks: 0 });
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('a response that does not arrive within the timeout is retried', async () => {
		const srv = await startScriptedServer((_req, res, rec) => {
			if (rec.n === 1) return; // hold it
			sendJson(res, 200, { ok: true });
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			assert.deepEqual(await client.request('GET', 'slow', { timeoutMs: 200 }), { ok: true });
			assert.equal(srv.requests.length, 2);
		} finally {
			await client.close();
			await srv.close();
		}
	});
});

describe('the error a caller gets when the retry policy gives up', () => {
	test('attempts are bounded: always 503 gives exactly maxAttempts requests, then NodeApiError 503', async () => {
		const srv = await startScriptedServer((_req, res) =>
			sendJson(res, 503, { error: 'upstream overloaded' }),
		);
		const client = makeClient(`${srv.url}/v1/nucleus`, { maxAttempts: 3 });
		try {
			const error = await rejection(
				client.request('POST', 'dataset/ds_1/append', {
					kind: 'legacyAppend',
					json: {},
					itemIndex: 4,
				}),
			);
			assert.ok(error instanceof NodeApiError);
			assert.equal(error.httpCode, '503');
			assert.match(error.message, /upstream overloaded/);
			assert.match(error.message, /503/);
			assert.match(String(error.description), /unavailable/i);
			assert.match(String(error.description), /3 attempts/);
			assert.equal(error.context.itemIndex, 4);
			assert.equal(srv.requests.length, 3);
			assert.deepEqual(client.stats, { requests: 3, retries: 2, looks: 0 });
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('retry: false sends a single request', async () => {
		const srv = await startScriptedServer((_req, res) => sendJson(res, 503, {}));
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			const error = await rejection(client.request('POST', 'x', { json: {}, retry: false }));
			assert.ok(error instanceof NodeApiError);
			assert.equal(srv.requests.length, 1);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('a closed port gives a NodeApiError naming the host and ECONNREFUSED, without the key', async () => {
		const port = await freePort();
		const client = makeClient(`http://127.0.0.1:${port}/v1/nucleus`, { maxAttempts: 2 });
		try {
			const error = await rejection(client.request('GET', 'dataset/details'));
			assert.ok(error instanceof NodeApiError);
			assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
			assert.match(error.message, /ECONNREFUSED/);
			assert.match(`${error.message} ${error.description}`, /Base URL/);
			assertNoSecrets(everythingIn(error));
			assert.deepEqual(client.stats, { requests: 2, retries: 1, looks: 0 });
		} finally {
			await client.close();
		}
	});

	test('retry policy per kind: an unnamed POST is sent again only when it was not processed', async () => {
		const answers: Array<[number, Record<string, string>] | 'drop'> = [];
		const srv = await startScriptedServer((req, res) => {
			const next = answers.shift() ?? [200, {}];
			if (next === 'drop') return void req.socket.destroy();
			sendJson(res, next[0], { n: answers.length }, next[1]);
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		try {
			// 429: not processed, sent again.
			answers.push([429, { 'retry-after': '0' }], [200, {}]);
			await client.request('POST', 'something', { json: {} });
			assert.equal(srv.requests.length, 2);
			// 503 and a dropped connection: may have been processed, not sent again, and the error says why.
			const ambiguous: Array<[number, Record<string, string>] | 'drop'> = [[503, {}], 'drop'];
			for (const first of ambiguous) {
				answers.push(first, [200, {}]);
				const before: number = srv.requests.length;
				const error = await rejection(client.request('POST', 'something', { json: {} }));
				assert.ok(error instanceof NodeApiError);
				assert.match(
					String(error.description),
					/Not sent again: the request may have reached Nucleus, and sending it a second time could do it twice\./,
				);
				assert.equal(srv.requests.length, before + 1);
				answers.length = 0;
			}
			// The same failures are retried for a read and for a kind that is safe to repeat.
			for (const kind of ['read', 'legacyAppend', 'batchAppendJob', 'deleteItem'] as const) {
				answers.push([503, {}], 'drop', [200, {}]);
				const before: number = srv.requests.length;
				await client.request(kind === 'read' ? 'GET' : 'POST', 'something', { kind, json: {} });
				assert.equal(srv.requests.length, before + 3, kind);
			}
		} finally {
			await client.close();
			await srv.close();
		}
		// A refused connection is not processed: sent again even for an unnamed write.
		const port = await freePort();
		const refused = makeClient(`http://127.0.0.1:${port}/v1/nucleus`, { maxAttempts: 3 });
		try {
			const error = await rejection(refused.request('POST', 'something', { json: {} }));
			assert.match((error as Error).message, /ECONNREFUSED/);
			assert.equal(refused.stats.requests, 3);
		} finally {
			await refused.close();
		}
	});

	test('time budget: a backoff that would end after it stops the request; time held by beforeRetry does not count', async () => {
		const srv = await startScriptedServer((_req, res) => sendJson(res, 503, { error: 'busy' }));
		const slow = makeClient(`${srv.url}/v1/nucleus`, {
			totalBudgetMs: 1000,
			retryBaseMs: 2000,
			retryMaxDelayMs: 2000,
		});
		try {
			const error = await rejection(slow.request('GET', 'x'));
			assert.ok(error instanceof NodeApiError);
			assert.match(
				String(error.description),
				/Gave up after 1 attempt\(s\) in \d+(\.\d)? s: the next one would start after the 1 s this request may take\.$/,
			);
			assert.equal(srv.requests.length, 1);
		} finally {
			await slow.close();
		}
		const held = makeClient(`${srv.url}/v1/nucleus`, {
			totalBudgetMs: 300,
			retryBaseMs: 1,
			retryMaxDelayMs: 1,
			maxAttempts: 3,
		});
		srv.requests.length = 0;
		try {
			await rejection(
				held.request('GET', 'x', {
					beforeRetry: async () => await new Promise((resolve) => setTimeout(resolve, 400)),
				}),
			);
			assert.equal(
				srv.requests.length,
				3,
				'each retry waited 400 ms for a slot, past the 300 ms budget',
			);
		} finally {
			await held.close();
			await srv.close();
		}
	});
});
