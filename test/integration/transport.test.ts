import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import busboy from 'busboy';
import FormData from 'form-data';
import type { INode, Logger } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import {
	NucleusClient,
	buildUrl,
	encodePathSegment,
	isRetryableStatus,
	parseRetryAfter,
	redactUrl,
	scrubSecrets,
	stripUrlUserinfo,
} from '../../nodes/shared/transport';

// Obviously not a Scale key (live_/test_ + 32 hex), yet long and distinctive enough for the scans below.
const API_KEY = 'fake-key_transport-tests+not/a-scale-key';
const KEY_B64 = Buffer.from(`${API_KEY}:`).toString('base64');
const SECRETS = [
	API_KEY,
	KEY_B64,
	KEY_B64.replace(/=+$/, ''),
	Buffer.from(API_KEY).toString('base64'),
];

const node: INode = {
	id: 'node-1',
	name: 'Scale Nucleus',
	type: 'n8n-nodes-scale-nucleus.scaleNucleus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	credentials: { scaleNucleusApi: { id: 'cred-1', name: 'Nucleus account' } },
};

// ---------------------------------------------------------------------------------------------------------------
// Small scripted fixture servers (precise sequences: "503 then 200", "drop the socket once", ...).
// ---------------------------------------------------------------------------------------------------------------

interface Recorded {
	n: number;
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	at: number;
	socket: Socket;
}

type Handler = (req: IncomingMessage, res: ServerResponse, rec: Recorded) => void | Promise<void>;

interface Fixture {
	url: string;
	port: number;
	requests: Recorded[];
	connections: number;
	close(): Promise<void>;
}

/** Reads the whole body before calling the handler unless `streamBody` (the handler reads it itself). */
async function startServer(
	handler: Handler,
	opts: { streamBody?: boolean } = {},
): Promise<Fixture> {
	const requests: Recorded[] = [];
	let connections = 0;
	const server = http.createServer(async (req, res) => {
		const at = performance.now();
		const rec: Recorded = {
			n: requests.length + 1,
			method: req.method ?? '',
			url: req.url ?? '',
			headers: req.headers,
			body: Buffer.alloc(0),
			at,
			socket: req.socket,
		};
		requests.push(rec);
		try {
			if (!opts.streamBody) {
				const chunks: Buffer[] = [];
				for await (const chunk of req) chunks.push(chunk as Buffer);
				rec.body = Buffer.concat(chunks);
			}
			await handler(req, res, rec);
		} catch (error) {
			// The client went away mid-body (cancel, broken body stream): nothing to answer.
			if (!res.headersSent && !req.socket.destroyed) {
				res.statusCode = 500;
				res.end(String(error));
			}
		}
	});
	server.on('connection', () => {
		connections++;
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		get connections() {
			return connections;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

function makeClient(
	baseUrl: string,
	options: ConstructorParameters<typeof NucleusClient>[2] = {},
): NucleusClient {
	return new NucleusClient(
		node,
		{ apiKey: API_KEY, baseUrl },
		{ retryBaseMs: 5, retryMaxDelayMs: 20, ...options },
	);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	assert.fail('expected the promise to reject');
}

/** Everything reachable from the error (own properties incl. hidden ones, cause, context, errorResponse, stack). */
function everythingIn(value: unknown): string {
	let json = '';
	try {
		json = JSON.stringify(value);
	} catch {
		json = '';
	}
	return `${inspect(value, { depth: 12, showHidden: true, getters: true })}\n${json}\n${(value as Error)?.stack ?? ''}`;
}

function assertNoSecrets(text: string, extra: string[] = []): void {
	for (const secret of [...SECRETS, ...extra]) {
		assert.ok(
			!text.includes(secret),
			`found a secret (${secret.slice(0, 6)}…) in: ${text.slice(0, 200)}`,
		);
	}
}

interface LogLine {
	level: string;
	message: string;
	meta: unknown;
}

function captureLogger(): { logger: Logger; lines: LogLine[] } {
	const lines: LogLine[] = [];
	const make = (level: string) => (message: string, meta?: unknown) => {
		lines.push({ level, message, meta });
	};
	const logger = {
		error: make('error'),
		warn: make('warn'),
		info: make('info'),
		debug: make('debug'),
	} as unknown as Logger;
	return { logger, lines };
}

async function freePort(): Promise<number> {
	const server = net.createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const waitFor = async (check: () => boolean, what: string, limitMs = 3000): Promise<void> => {
	const start = performance.now();
	while (!check()) {
		if (performance.now() - start > limitMs) assert.fail(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
};

// ---------------------------------------------------------------------------------------------------------------

describe('NucleusClient transport', () => {
	test('joins base URL and route with one slash, adds Basic auth, User-Agent and query, parses the response', async () => {
		const srv = await startServer((req, res, rec) => {
			if (rec.url.startsWith('/v1/nucleus/text')) {
				res.writeHead(200, { 'content-type': 'text/plain' });
				res.end('plain words');
			} else if (rec.url.startsWith('/v1/nucleus/empty')) {
				res.writeHead(200);
				res.end();
			} else {
				sendJson(res, 200, { echo: rec.body.length ? JSON.parse(rec.body.toString()) : null });
			}
		});
		const client = makeClient(`${srv.url}/v1/nucleus///`);
		try {
			const got = await client.request<{ echo: unknown }>('GET', '/dataset/ds_1/info', {
				query: { limit: 5, flag: true, skipped: undefined, name: 'a b&c' },
			});
			assert.deepEqual(got, { echo: null });
			assert.equal(
				srv.requests[0].url,
				'/v1/nucleus/dataset/ds_1/info?limit=5&flag=true&name=a+b%26c',
			);
			assert.equal(srv.requests[0].headers.authorization, `Basic ${KEY_B64}`);
			assert.match(
				String(srv.requests[0].headers['user-agent']),
				/^n8n-nodes-scale-nucleus\/\d+\.\d+\.\d+/,
			);

			const posted = await client.request('POST', 'dataset/ds_1/append', {
				json: { items: [{ reference_id: 'r1' }] },
			});
			assert.deepEqual(posted, { echo: { items: [{ reference_id: 'r1' }] } });
			assert.equal(srv.requests[1].url, '/v1/nucleus/dataset/ds_1/append');
			assert.equal(srv.requests[1].headers['content-type'], 'application/json');

			assert.equal(await client.request('GET', 'text'), 'plain words');
			assert.equal(await client.request('DELETE', 'empty'), undefined);
			assert.deepEqual(client.stats, { requests: 4, retries: 0, looks: 0 });
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('path segments are fully percent-encoded', async () => {
		const srv = await startServer((_req, res) => sendJson(res, 200, {}));
		const client = makeClient(`${srv.url}/v1/nucleus`);
		const ref = "test/reference/id with space?#&%!'()*";
		try {
			await client.request('GET', `dataset/ds_1/refloc/${encodePathSegment(ref)}`);
			const url = srv.requests[0].url;
			assert.equal(
				url,
				'/v1/nucleus/dataset/ds_1/refloc/test%2Freference%2Fid%20with%20space%3F%23%26%25%21%27%28%29%2A',
			);
			assert.equal(decodeURIComponent(url.split('/').pop() ?? ''), ref);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('429 with Retry-After: the next attempt waits at least that long', async () => {
		const srv = await startServer((_req, res, rec) => {
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

	test('Retry-After within the time budget is waited for; parseRetryAfter reads seconds and HTTP dates', async () => {
		const srv = await startServer((_req, res, rec) => {
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
		const now = Date.parse('2024-01-01T00:00:00Z');
		assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:07 GMT', now), 7000);
		assert.equal(parseRetryAfter('2', now), 2000);
		assert.equal(parseRetryAfter('soon', now), undefined);
	});

	test('503 then success: retried on the same keep-alive connection', async () => {
		const srv = await startServer((_req, res, rec) => {
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
		for (const status of [502, 503, 504, 520, 524, 429])
			assert.ok(isRetryableStatus(status), String(status));
		for (const status of [400, 401, 403, 404, 409, 500])
			assert.ok(!isRetryableStatus(status), String(status));
		let status = 520;
		const srv = await startServer((_req, res, rec) => {
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
		const srv = await startServer((req, res, rec) => {
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
		const srv = await startServer((_req, res, rec) => {
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

	test('attempts are bounded: always 503 gives exactly maxAttempts requests, then NodeApiError 503', async () => {
		const srv = await startServer((_req, res) =>
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
		const srv = await startServer((_req, res) => sendJson(res, 503, {}));
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

	test(
		'cancel aborts an in-flight request: prompt AbortError, socket closed, no further attempts',
		{ timeout: 5000 },
		async () => {
			let socketClosed = false;
			const srv = await startServer((req) => {
				req.socket.once('close', () => {
					socketClosed = true;
				});
				// never answer
			});
			const controller = new AbortController();
			const client = makeClient(`${srv.url}/v1/nucleus`, { signal: controller.signal });
			try {
				const pending = client.request('POST', 'dataset/ds_1/append', { json: { items: [] } });
				await waitFor(() => srv.requests.length === 1, 'the request to arrive');
				const started = performance.now();
				controller.abort();
				const error = await rejection(pending);
				const elapsed = performance.now() - started;
				assert.ok(error instanceof Error);
				assert.equal(error.name, 'AbortError');
				assert.equal(error.message, 'The operation was aborted');
				assert.ok(elapsed < 2000, `rejected after ${elapsed.toFixed(0)} ms`);
				await waitFor(() => socketClosed, 'the server to see the socket closed');
				await new Promise((resolve) => setTimeout(resolve, 100));
				assert.equal(srv.requests.length, 1);
				assert.equal(client.stats.retries, 0);

				const again = await rejection(client.request('GET', 'dataset/ds_1/info'));
				assert.equal((again as Error).name, 'AbortError');
				assert.equal(srv.requests.length, 1, 'nothing is sent once cancelled');
			} finally {
				await client.close();
				await srv.close();
			}
		},
	);

	test('cancel during a backoff wait ends the wait at once', { timeout: 5000 }, async () => {
		const srv = await startServer((_req, res) => sendJson(res, 429, {}, { 'retry-after': '30' }));
		const controller = new AbortController();
		const client = makeClient(`${srv.url}/v1/nucleus`, { signal: controller.signal });
		try {
			const pending = client.request('GET', 'x');
			await waitFor(() => client.stats.retries === 1, 'the first 429');
			const started = performance.now();
			controller.abort();
			const error = await rejection(pending);
			assert.equal((error as Error).name, 'AbortError');
			assert.ok(performance.now() - started < 2000);
			assert.equal(srv.requests.length, 1);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('401 says to check the API key and never contains the key, its Base64 or the Authorization header', async () => {
		const srv = await startServer((req, res) => {
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

	test('scrubSecrets removes the key and its encodings', () => {
		const text = `k=${API_KEY} b=${KEY_B64} c=${KEY_B64.replace(/=+$/, '')} Authorization: Basic abc123==`;
		const out = scrubSecrets(text, API_KEY);
		assertNoSecrets(out);
		assert.ok(!out.includes('abc123'));
		assert.equal(scrubSecrets('nothing here', API_KEY), 'nothing here');
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

	test('presigned PUT: no Authorization, no Content-Type, retried with a fresh body', async () => {
		const payload = Buffer.from('{"reference_id":"a"}\n{"reference_id":"b"}\n'.repeat(2000));
		const srv = await startServer((_req, res, rec) => {
			if (rec.n === 1) {
				res.writeHead(503);
				res.end('<Error><Code>SlowDown</Code></Error>');
			} else {
				res.writeHead(200);
				res.end();
			}
		});
		const client = makeClient(`${srv.url}/v1/nucleus`);
		let factoryCalls = 0;
		try {
			const url = `${srv.url}/bucket/upload.ndjson?X-Amz-Signature=abcdef0123456789&X-Amz-Expires=3600`;
			await client.putPresigned(
				url,
				() => {
					factoryCalls++;
					return Readable.from([payload.subarray(0, 1000), payload.subarray(1000)]);
				},
				{ contentLength: payload.length },
			);
			assert.equal(factoryCalls, 2);
			assert.equal(srv.requests.length, 2);
			for (const rec of srv.requests) {
				assert.equal(rec.method, 'PUT');
				assert.equal(
					rec.url,
					'/bucket/upload.ndjson?X-Amz-Signature=abcdef0123456789&X-Amz-Expires=3600',
				);
				assert.equal(rec.headers.authorization, undefined);
				assert.equal(rec.headers['content-type'], undefined);
				assert.equal(rec.headers['content-length'], String(payload.length));
				assert.ok(rec.body.equals(payload));
			}
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('presigned PUT rejected by the store: NodeApiError with the status, no signature in it', async () => {
		const signature = 'f00dfeedbeefcafe0123456789abcdef';
		const srv = await startServer((_req, res) => {
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
		const srv = await startServer((req, res, rec) => {
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
		const srv = await startServer((_req, res) =>
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

	test('retry policy per kind: an unnamed POST is sent again only when it was not processed', async () => {
		const answers: Array<[number, Record<string, string>] | 'drop'> = [];
		const srv = await startServer((req, res) => {
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
		const srv = await startServer((_req, res) => sendJson(res, 503, { error: 'busy' }));
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

	test('multipart: form streamed (chunked when a part has no known length) and rebuilt on retry', async () => {
		const file = Buffer.alloc(1024 * 1024);
		for (let i = 0; i < file.length; i++) file[i] = (i * 31) % 251;
		const fileHash = createHash('sha256').update(file).digest('hex');
		interface Seen {
			fields: Record<string, string>;
			files: Record<string, { name: string; hash: string; size: number }>;
			headers: http.IncomingHttpHeaders;
		}
		const seen: Seen[] = [];
		const srv = await startServer(
			async (req, res, rec) => {
				const fields: Record<string, string> = {};
				const files: Seen['files'] = {};
				const bb = busboy({ headers: req.headers });
				bb.on('field', (name, value) => {
					fields[name] = value;
				});
				bb.on('file', (name, stream, info) => {
					const hash = createHash('sha256');
					let size = 0;
					stream.on('data', (chunk: Buffer) => {
						hash.update(chunk);
						size += chunk.length;
					});
					stream.on('end', () => {
						files[name] = { name: info.filename, hash: hash.digest('hex'), size };
					});
				});
				req.pipe(bb);
				await once(bb, 'close');
				seen.push({ fields, files, headers: req.headers });
				if (rec.n === 1) sendJson(res, 503, {});
				else sendJson(res, 200, { new_items: 1 });
			},
			{ streamBody: true },
		);
		const client = makeClient(`${srv.url}/v1/nucleus`);
		let builds = 0;
		try {
			const got = await client.request('POST', 'dataset/ds_1/append', {
				kind: 'legacyAppend',
				form: () => {
					builds++;
					const fd = new FormData();
					fd.append('item', JSON.stringify({ reference_id: 'img-1' }));
					fd.append('image', Readable.from([file.subarray(0, 300_000), file.subarray(300_000)]), {
						filename: 'img-1.png',
						contentType: 'image/png',
					});
					return fd;
				},
			});
			assert.deepEqual(got, { new_items: 1 });
			assert.equal(builds, 2);
			assert.equal(seen.length, 2);
			for (const s of seen) {
				assert.match(String(s.headers['content-type']), /^multipart\/form-data; boundary=/);
				assert.equal(s.headers['transfer-encoding'], 'chunked');
				assert.equal(s.headers.authorization, `Basic ${KEY_B64}`);
				assert.deepEqual(s.fields, { item: '{"reference_id":"img-1"}' });
				assert.deepEqual(s.files, {
					image: { name: 'img-1.png', hash: fileHash, size: file.length },
				});
			}

			// All parts of known length: sent with Content-Length.
			await client.request('POST', 'dataset/ds_1/append', {
				form: () => {
					const fd = new FormData();
					fd.append('item', 'x');
					fd.append('image', file.subarray(0, 1000), { filename: 'a.png' });
					return fd;
				},
			});
			const last = srv.requests[srv.requests.length - 1];
			assert.equal(last.headers['transfer-encoding'], undefined);
			assert.ok(Number(last.headers['content-length']) > 1000);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('a body that cannot be read is a NodeOperationError, not retried; a failing factory sends nothing', async () => {
		const srv = await startServer((_req, res) => sendJson(res, 200, {}));
		const client = makeClient(`${srv.url}/v1/nucleus`);
		let builds = 0;
		try {
			const missing = await rejection(
				client.request('POST', 'dataset/ds_1/append', {
					itemIndex: 2,
					form: () => {
						builds++;
						const fd = new FormData();
						fd.append('item', '{}');
						fd.append('image', createReadStream('/nonexistent/dir/img.png'), {
							filename: 'img.png',
						});
						return fd;
					},
				}),
			);
			assert.ok(missing instanceof NodeOperationError, inspect(missing));
			assert.match(missing.message, /ENOENT/);
			assert.equal(missing.context.itemIndex, 2);
			assert.equal(builds, 1);
			assert.equal(client.stats.retries, 0);

			const before = srv.requests.length;
			const thrown = await rejection(
				client.request('POST', 'x', {
					form: () => {
						throw new Error('cannot open binary data');
					},
				}),
			);
			assert.ok(thrown instanceof NodeOperationError);
			assert.match(thrown.message, /cannot open binary data/);
			assert.equal(srv.requests.length, before);
		} finally {
			await client.close();
			await srv.close();
		}
	});

	test('many concurrent requests on one cancel signal raise no listener-leak warning', async () => {
		const srv = await startServer((_req, res) => {
			setTimeout(() => sendJson(res, 200, { ok: true }), 20);
		});
		const warnings: string[] = [];
		const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
		process.on('warning', onWarning);
		const controller = new AbortController();
		const client = makeClient(`${srv.url}/v1/nucleus`, {
			signal: controller.signal,
			connections: 24,
		});
		try {
			const results = await Promise.all(
				Array.from({ length: 24 }, (_, i) => client.request('GET', `r/${i}`)),
			);
			assert.equal(results.length, 24);
			assert.equal(srv.connections, 24, 'the pool opened one socket per concurrent request');
			await new Promise((resolve) => setImmediate(resolve));
			assert.deepEqual(
				warnings.filter((w) => /MaxListeners/.test(w)),
				[],
			);
		} finally {
			process.off('warning', onWarning);
			await client.close();
			await srv.close();
		}
	});

	test('proxy from the environment: requests go through HTTP_PROXY, NO_PROXY honoured', async () => {
		const target = await startServer((_req, res) => sendJson(res, 200, { via: 'target' }));
		const tunnels: Array<{ url: string; headers: http.IncomingHttpHeaders }> = [];
		const proxy = http.createServer((_req, res) => {
			res.writeHead(501);
			res.end();
		});
		const proxySockets = new Set<Socket>();
		proxy.on('connection', (s: Socket) => proxySockets.add(s));
		proxy.on('connect', (req: IncomingMessage, clientSocket: Socket, head: Buffer) => {
			tunnels.push({ url: req.url ?? '', headers: req.headers });
			const [host, port] = (req.url ?? '').split(':');
			const upstream = net.connect(Number(port), host, () => {
				clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
				if (head.length) upstream.write(head);
				upstream.pipe(clientSocket);
				clientSocket.pipe(upstream);
			});
			proxySockets.add(upstream);
			upstream.on('error', () => clientSocket.destroy());
			clientSocket.on('error', () => upstream.destroy());
		});
		proxy.listen(0, '127.0.0.1');
		await once(proxy, 'listening');
		const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

		const names = [
			'HTTP_PROXY',
			'HTTPS_PROXY',
			'http_proxy',
			'https_proxy',
			'NO_PROXY',
			'no_proxy',
		];
		const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
		for (const n of names) delete process.env[n];
		const clients: NucleusClient[] = [];
		try {
			const plain = makeClient(`${target.url}/v1/nucleus`);
			clients.push(plain);
			assert.equal(plain.dispatcherKind, 'agent');

			process.env.HTTP_PROXY = proxyUrl;
			const viaProxy = makeClient(`${target.url}/v1/nucleus`);
			clients.push(viaProxy);
			assert.equal(viaProxy.dispatcherKind, 'env-proxy');
			assert.deepEqual(await viaProxy.request('GET', 'dataset/details'), { via: 'target' });
			assert.equal(tunnels.length, 1);
			assert.equal(tunnels[0].url, `127.0.0.1:${target.port}`);
			assert.equal(
				tunnels[0].headers.authorization,
				undefined,
				'the API key is not sent to the proxy',
			);
			assert.equal(target.requests[0].headers.authorization, `Basic ${KEY_B64}`);

			process.env.NO_PROXY = '127.0.0.1';
			const bypass = makeClient(`${target.url}/v1/nucleus`);
			clients.push(bypass);
			assert.deepEqual(await bypass.request('GET', 'dataset/details'), { via: 'target' });
			assert.equal(tunnels.length, 1, 'NO_PROXY host is reached directly');
			assert.equal(target.requests.length, 2);
		} finally {
			for (const n of names) {
				if (saved[n] === undefined) delete process.env[n];
				else process.env[n] = saved[n];
			}
			for (const c of clients) await c.close();
			for (const s of proxySockets) s.destroy();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
			await target.close();
		}
	});

	test('fromContext reads the credential, node, logger and cancel signal; rejects a non-http Base URL', async () => {
		const srv = await startServer((_req, res) => sendJson(res, 200, { ok: true }));
		const controller = new AbortController();
		const { logger, lines } = captureLogger();
		const ctx = (baseUrl: string, withSignal: boolean) =>
			({
				getNode: () => node,
				logger,
				getCredentials: async (name: string) => {
					assert.equal(name, 'scaleNucleusApi');
					return { apiKey: API_KEY, baseUrl };
				},
				...(withSignal ? { getExecutionCancelSignal: () => controller.signal } : {}),
			}) as unknown as Parameters<typeof NucleusClient.fromContext>[0];
		try {
			const pollLike = await NucleusClient.fromContext(ctx(`${srv.url}/v1/nucleus/`, false));
			assert.deepEqual(await pollLike.request('GET', 'dataset/details'), { ok: true });
			assert.ok(lines.some((l) => l.message === 'Nucleus request'));
			await pollLike.close();

			const execLike = await NucleusClient.fromContext(ctx(`${srv.url}/v1/nucleus`, true));
			controller.abort();
			const error = await rejection(execLike.request('GET', 'dataset/details'));
			assert.equal((error as Error).name, 'AbortError');
			assert.equal(srv.requests.length, 1);
			await execLike.close();

			for (const bad of ['ftp://example.com/v1', 'not a url', 'api.scale.com/v1/nucleus']) {
				const err = await rejection(NucleusClient.fromContext(ctx(bad, false)));
				assert.ok(err instanceof NodeOperationError, bad);
				assert.match(err.message, /Base URL/);
			}
		} finally {
			await srv.close();
		}
	});

	test('buildUrl joins with a single slash', () => {
		assert.equal(buildUrl('https://h/v1/nucleus/', '/dataset/x'), 'https://h/v1/nucleus/dataset/x');
		assert.equal(
			buildUrl('https://h/v1/nucleus', 'jobs/', { a: undefined }),
			'https://h/v1/nucleus/jobs/',
		);
		assert.equal(buildUrl('https://h', 'a?x=1', { y: 2 }), 'https://h/a?x=1&y=2');
	});
});
