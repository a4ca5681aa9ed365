/**
 * What NucleusClient puts on the wire, as a scripted server receives it: the URL (Base URL, route,
 * query, fully percent-encoded segments), Basic auth and User-Agent, JSON and streamed multipart
 * bodies (rebuilt for a retry), presigned PUTs without Authorization or Content-Type, and bodies
 * that cannot be read (a NodeOperationError, nothing sent again).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import type http from 'node:http';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import busboy from 'busboy';
import FormData from 'form-data';
import { NodeOperationError } from 'n8n-workflow';

import { encodePathSegment } from '../../nodes/shared/transport';
import { sendJson, startScriptedServer } from '../harness/scriptedServer';
import { KEY_B64, makeClient, rejection } from './transport-common';

describe('what goes on the wire: URL, auth, headers, bodies', () => {
	test('joins base URL and route with one slash, adds Basic auth, User-Agent and query, parses the response', async () => {
		const srv = await startScriptedServer((req, res, rec) => {
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
		const srv = await startScriptedServer((_req, res) => sendJson(res, 200, {}));
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
		const srv = await startScriptedServer(
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

	test('presigned PUT: no Authorization, no Content-Type, retried with a fresh body', async () => {
		const payload = Buffer.from('{"reference_id":"a"}\n{"reference_id":"b"}\n'.repeat(2000));
		const srv = await startScriptedServer((_req, res, rec) => {
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
});

describe('request bodies that cannot be read', () => {
	test('a body that cannot be read is a NodeOperationError, not retried; a failing factory sends nothing', async () => {
		const srv = await startScriptedServer((_req, res) => sendJson(res, 200, {}));
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
});
