/**
 * The retry policy (nodes/shared/transport/retryPolicy.ts) as a user meets it, through the node,
 * against small fake Nucleus servers on loopback that misbehave on purpose: a create or an append
 * that is done but whose answer is lost (dropped connection, 504, no answer in time), a server that
 * never answers, a Retry-After of an hour, a delete whose answer is lost.
 *
 * Over 350 lines because it is one scenario per kind of lost answer, each with its fake server's
 * script; the pure decisions behind them are unit-tested in test/unit/transport-*.test.ts.
 *
 * Each fake server keeps the state the real one would (datasets, jobs) and a log of the requests, so
 * the tests count what was created and which requests the node made.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { createTestCredentials, makeBinaryItem, runNode } from '../harness';
import { ScaleNucleus, appendParams, json, rl } from './scale-nucleus';

const KEY = 'fake-key_reliability-retries';

interface Request {
	method: string;
	/** Path under /v1/nucleus (or the upload path), without the query. */
	route: string;
	query: URLSearchParams;
	body: Buffer;
	contentType: string;
}

/** What a route handler does: answer (status + JSON), or misbehave. */
type Reply = { status: number; body?: unknown; headers?: Record<string, string> } | 'drop' | 'hang';

interface FakeServer {
	baseUrl: string;
	origin: string;
	log: Request[];
	/** `METHOD route` of every request, in order. */
	calls(): string[];
	close(): Promise<void>;
}

async function startFake(handle: (req: Request) => Reply | Promise<Reply>): Promise<FakeServer> {
	const log: Request[] = [];
	const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const url = new URL(req.url ?? '/', 'http://fake');
		const rec: Request = {
			method: req.method ?? '',
			route: url.pathname.replace(/^\/v1\/nucleus\//, ''),
			query: url.searchParams,
			body: Buffer.concat(chunks),
			contentType: String(req.headers['content-type'] ?? ''),
		};
		log.push(rec);
		const reply = await handle(rec);
		// The request has been read (and acted on) in full; now the answer is lost.
		if (reply === 'drop') return void req.socket.destroy();
		if (reply === 'hang') return;
		const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
		res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
		res.end(text);
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	return {
		baseUrl: `${origin}/v1/nucleus`,
		origin,
		log,
		calls: () => log.map((r) => `${r.method} ${r.route}`),
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

async function run(
	srv: FakeServer,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [json({})],
	continueOnFail = false,
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: createTestCredentials(srv.baseUrl, KEY),
		continueOnFail,
	});
}

async function failure(promise: Promise<unknown>): Promise<Error & { description?: string }> {
	try {
		await promise;
	} catch (error) {
		return error as Error & { description?: string };
	}
	assert.fail('expected the run to fail');
}

const bodyOf = (r: Request) => JSON.parse(r.body.toString()) as Record<string, unknown>;

// ---------------------------------------------------------------------------------------------

describe('Dataset → Create after an answer is lost: look first, never two datasets', () => {
	/** A Nucleus with `existing` datasets (one older of the same name); `onCreate` decides what each create does. */
	async function createServer(
		onCreate: (n: number, make: (name: string) => string) => Reply,
		existing = [{ id: 'ds_older', name: 'street-scenes' }],
	): Promise<FakeServer & { datasets: Array<{ id: string; name: string }> }> {
		const datasets = [...existing];
		let creates = 0;
		const make = (name: string) => {
			const id = `ds_new${datasets.length}`;
			datasets.push({ id, name });
			return id;
		};
		const srv = await startFake((req) => {
			if (req.method === 'GET' && req.route === 'dataset/details') {
				return { status: 200, body: datasets.map((d) => ({ ...d, is_public: false })) };
			}
			if (req.method === 'POST' && req.route === 'dataset/create') {
				return onCreate(++creates, make);
			}
			return { status: 404, body: { error: 'no route' } };
		});
		return Object.assign(srv, { datasets });
	}
	const params = (options = {}) => ({
		resource: 'dataset',
		operation: 'create',
		name: 'street-scenes',
		options,
	});

	for (const [what, lost, options] of [
		['the connection dropped after the body was read', 'drop', {}],
		['a 504 after the dataset was created', { status: 504, body: 'upstream timeout' }, {}],
		['no answer within the 1 s Request Timeout', 'hang', { requestTimeout: 1 }],
	] as const) {
		test(`${what}: datasets of that name exist, so the node stops naming them, creates none again`, async () => {
			// The list carries no creation time or request ID: the new dataset cannot be told from
			// the older one of the same name (or another writer's), so neither is reported as made.
			const srv = await createServer((n, make) => {
				const id = make('street-scenes');
				return n === 1 ? lost : { status: 200, body: { dataset_id: id, name: 'street-scenes' } };
			});
			try {
				const { output } = await run(srv, params(options), [json({})], true);
				assert.match(
					String(output[0][0].json.error),
					/^POST dataset\/create may have been done by Nucleus, but the node could not confirm it: 2 datasets named "street-scenes" exist \(ds_older, ds_new1\)/,
				);
				assert.deepEqual(
					srv.datasets.map((d) => d.id),
					['ds_older', 'ds_new1'],
					'exactly one dataset was made',
				);
				assert.deepEqual(srv.calls(), ['POST dataset/create', 'GET dataset/details']);
			} finally {
				await srv.close();
			}
		});
	}

	test('the connection dropped before anything was made: no dataset of that name, created once', async () => {
		const srv = await createServer(
			(n, make) =>
				n === 1
					? 'drop'
					: { status: 200, body: { dataset_id: make('street-scenes'), name: 'street-scenes' } },
			[{ id: 'ds_older', name: 'parking-lots' }],
		);
		try {
			const { output } = await run(srv, params());
			assert.deepEqual(output[0][0].json, { dataset_id: 'ds_new1', name: 'street-scenes' });
			assert.equal(srv.datasets.length, 2);
			assert.deepEqual(srv.calls(), [
				'POST dataset/create',
				'GET dataset/details',
				'POST dataset/create',
			]);
		} finally {
			await srv.close();
		}
	});

	test('two new datasets of that name appeared: the node stops naming all three, creates no fourth', async () => {
		const srv = await createServer((_n, make) => {
			make('street-scenes');
			make('street-scenes'); // someone else created one at the same time
			return 'drop';
		});
		try {
			const { output } = await run(srv, params(), [json({})], true);
			const error = String(output[0][0].json.error);
			assert.match(
				error,
				/^POST dataset\/create may have been done by Nucleus, but the node could not confirm it: 3 datasets named "street-scenes" exist \(ds_older, ds_new1, ds_new2\); one may be the one this request created, or another writer's, and Nucleus's list cannot tell them apart$/,
			);
			assert.equal(srv.calls().filter((c) => c === 'POST dataset/create').length, 1);
		} finally {
			await srv.close();
		}
	});
});

describe('Append after an answer is lost: one job per upload', () => {
	/** A Nucleus with one dataset, the presigned flow, jobs and `POST jobs/`. */
	async function appendServer(
		onAppend: (n: number, startJob: () => Record<string, unknown>) => Reply,
		// An append job's status names its upload (`PayloadUrl`: the SDK's tests/test_dataset.py
		// blanks `status["message"]["PayloadUrl"]`) and counts its items (nucleus-api.md 5.3).
		statusMessage: (job: { total: number; requestId?: string }) => unknown = (job) => ({
			PayloadUrl: `s3://nucleus-uploads/ds_1/${job.requestId}.ndjson`,
			ingest_to_reupload_queue: { epoch: 1, total: job.total, processed: 0 },
		}),
		listJobs = true,
	) {
		const uploads = new Map<string, number>();
		const jobs: Array<{
			job_id: string;
			total: number;
			requestId?: string;
			form: string;
			created: string;
		}> = [];
		let appends = 0;
		const info = (j: (typeof jobs)[number]) => ({
			job_id: j.job_id,
			job_last_known_status: 'Queued',
			job_type: 'uploadDatasetItems',
			job_creation_time: j.created,
			dataset_id: 'ds_1',
		});
		const srv = await startFake((req) => {
			const signed = /^dataset\/ds_1\/signedUrl\/(\w+)$/.exec(req.route);
			if (req.method === 'GET' && signed) {
				return {
					status: 200,
					body: { signed_url: `${srv.origin}/upload/${signed[1]}.ndjson?X-Amz-Signature=abc` },
				};
			}
			const upload = /^\/upload\/(\w+)\.ndjson$/.exec(req.route);
			if (req.method === 'PUT' && upload) {
				uploads.set(upload[1], req.body.toString().split('\n').filter(Boolean).length);
				return { status: 200 };
			}
			if (req.method === 'POST' && req.route === 'jobs/' && listJobs) {
				return { status: 200, body: jobs.map(info) };
			}
			const job = /^job\/(\w+)$/.exec(req.route);
			if (req.method === 'GET' && job) {
				const j = jobs.find((x) => x.job_id === job[1]);
				if (!j) return { status: 404, body: { error: 'no such job' } };
				return {
					status: 200,
					body: { job_id: j.job_id, status: 'Queued', message: statusMessage(j) },
				};
			}
			if (req.method === 'POST' && req.route === 'dataset/ds_1/append' && req.query.get('async')) {
				const startJob = () => {
					const multipart = req.contentType.startsWith('multipart/');
					const requestId = multipart ? undefined : String(bodyOf(req).requestId);
					const j = {
						job_id: `job_${jobs.length + 1}`,
						total: multipart
							? (req.body.toString().match(/name="image"/g) ?? []).length
							: (uploads.get(requestId!) ?? 0),
						requestId,
						form: multipart ? 'multipart' : 'presigned',
						created: new Date().toISOString(),
					};
					jobs.push(j);
					return info(j);
				};
				return onAppend(++appends, startJob);
			}
			return { status: 404, body: { error: `no route ${req.method} ${req.route}` } };
		});
		return Object.assign(srv, { jobs });
	}

	const remote = [
		json({ ref: 'a', url: 's3://bucket/a.jpg' }),
		json({ ref: 'b', url: 's3://bucket/b.jpg' }),
		json({ ref: 'c', url: 's3://bucket/c.jpg' }),
	];

	for (const [what, lost] of [
		['the connection dropped after the job was started', 'drop'],
		['a 502 after the job was started', { status: 502, body: 'bad gateway' }],
	] as const) {
		test(`remote (presigned): ${what}: the job is found, no second job`, async () => {
			const srv = await appendServer((n, startJob) => {
				const job = startJob();
				return n === 1 ? lost : { status: 200, body: job };
			});
			try {
				const { output } = await run(
					srv,
					appendParams('ds_1', { waitForCompletion: false }),
					remote,
				);
				assert.equal(srv.jobs.length, 1, 'one job');
				assert.equal(output[0].length, 1);
				assert.equal(output[0][0].json.job_id, 'job_1');
				assert.deepEqual(output[0][0].json.reference_ids, ['a', 'b', 'c']);
				assert.deepEqual(
					srv.calls().filter((c) => !c.startsWith('PUT')),
					[
						'GET dataset/ds_1/signedUrl/' + srv.log[0].route.split('/').pop(),
						'POST dataset/ds_1/append',
						'POST jobs/',
						'GET job/job_1',
					],
				);
			} finally {
				await srv.close();
			}
		});
	}

	test('remote: a job whose status counts these items but does not name the upload is not taken: sent again', async () => {
		// An item count is no evidence (another run's job may have the same size); a second job over
		// the same file stores nothing twice.
		const srv = await appendServer(
			(n, startJob) => {
				const job = startJob();
				return n === 1 ? 'drop' : { status: 200, body: job };
			},
			(job) => ({ ingest_to_reupload_queue: { epoch: 1, total: job.total, processed: 0 } }),
		);
		try {
			const { output } = await run(srv, appendParams('ds_1', { waitForCompletion: false }), remote);
			assert.equal(srv.jobs.length, 2);
			assert.equal(output[0][0].json.job_id, 'job_2');
			assert.ok(srv.calls().includes('GET job/job_1'), 'the job was looked at');
		} finally {
			await srv.close();
		}
	});

	test('remote: dropped before the job was started: the same requestId is sent again, one job', async () => {
		const srv = await appendServer((n, startJob) =>
			n === 1 ? 'drop' : { status: 200, body: startJob() },
		);
		try {
			const { output } = await run(srv, appendParams('ds_1', { waitForCompletion: false }), remote);
			assert.equal(srv.jobs.length, 1);
			assert.equal(output[0][0].json.job_id, 'job_1');
			const posts = srv.log.filter((r) => r.route === 'dataset/ds_1/append');
			assert.equal(posts.length, 2);
			assert.equal(bodyOf(posts[1]).requestId, bodyOf(posts[0]).requestId);
			assert.match(String(bodyOf(posts[0]).requestId), /^[0-9a-f]{32}$/);
		} finally {
			await srv.close();
		}
	});

	test('remote: a new job that is not this upload (other item count, no requestId) is not taken', async () => {
		const srv = await appendServer((n, startJob) => {
			if (n > 1) return { status: 200, body: startJob() };
			// Not started; meanwhile someone else's job of 7 items appears in the dataset.
			srv.jobs.push({
				job_id: 'job_foreign',
				total: 7,
				form: 'presigned',
				created: new Date().toISOString(),
			});
			return 'drop';
		});
		try {
			const { output } = await run(srv, appendParams('ds_1', { waitForCompletion: false }), remote);
			assert.equal(output[0][0].json.job_id, 'job_2', 'its own job, started by the repeat');
			assert.deepEqual(
				srv.jobs.map((j) => j.job_id),
				['job_foreign', 'job_2'],
			);
			assert.ok(srv.calls().includes('GET job/job_foreign'), 'the new job was looked at');
		} finally {
			await srv.close();
		}
	});

	test('remote: a server without POST jobs/ still gets the append; a lost answer is then sent again (two jobs)', async () => {
		const srv = await appendServer(
			(n, startJob) => {
				const job = startJob();
				return n === 1 ? 'drop' : { status: 200, body: job };
			},
			undefined,
			false,
		);
		try {
			const { output } = await run(srv, appendParams('ds_1', { waitForCompletion: false }), remote);
			assert.equal(output[0][0].json.job_id, 'job_2');
			assert.equal(srv.jobs.length, 2, 'without a job list the look cannot tell: sent again');
			assert.deepEqual(
				srv.calls().filter((c) => c.startsWith('POST')),
				['POST dataset/ds_1/append', 'POST jobs/', 'POST dataset/ds_1/append'],
			);
		} finally {
			await srv.close();
		}
	});

	test('local (multipart batch): dropped after the job was started: sent again, as documented (two jobs of the same images)', async () => {
		const srv = await appendServer((n, startJob) => {
			const job = startJob();
			return n === 1 ? 'drop' : { status: 200, body: job };
		});
		try {
			const image = await makeBinaryItem(Buffer.from('png bytes'), 'a.png', 'image/png', {
				ref: 'a',
			});
			const { output } = await run(
				srv,
				appendParams('ds_1', { mode: 'local', imageSource: 'binary', waitForCompletion: false }),
				[image],
			);
			assert.deepEqual(
				srv.jobs.map((j) => [j.job_id, j.total]),
				[
					['job_1', 1],
					['job_2', 1],
				],
			);
			assert.equal(output[0][0].json.job_id, 'job_2');
			assert.ok(!srv.calls().includes('POST jobs/'), 'no look for a batch');
		} finally {
			await srv.close();
		}
	});
});

describe('bounded by time', () => {
	test('a server that never answers: Request Timeout 1 s, Max Attempts 2 → two attempts, then an error that says so', async () => {
		const srv = await startFake(() => 'hang');
		try {
			const error = await failure(
				run(srv, {
					resource: 'dataset',
					operation: 'get',
					datasetId: rl('ds_1'),
					options: { requestTimeout: 1, maxAttempts: 2 },
				}),
			);
			assert.match(
				error.message,
				/^Could not reach Nucleus at 127\.0\.0\.1:\d+ \(UND_ERR_HEADERS_TIMEOUT\): no response within 1 s \(the Request Timeout\)/,
			);
			assert.match(String(error.description), /Gave up after 2 attempts\.$/);
			assert.deepEqual(srv.calls(), ['GET dataset/ds_1/info', 'GET dataset/ds_1/info']);
		} finally {
			await srv.close();
		}
	});

	test('Retry-After: 3600 fails at once, naming the time to retry', async () => {
		const srv = await startFake(() => ({
			status: 429,
			body: { error: 'Too many requests' },
			headers: { 'retry-after': '3600' },
		}));
		try {
			const before = Date.now();
			const error = await failure(
				run(srv, { resource: 'dataset', operation: 'getMany', returnAll: true }),
			);
			const m =
				/^Nucleus API error 429 \(GET dataset\/details\): Too many requests; Nucleus asks to retry after (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) \(in 3600 s\)$/.exec(
					error.message,
				);
			assert.ok(m, error.message);
			const at = Date.parse(m[1]);
			assert.ok(at >= before + 3600_000 && at <= Date.now() + 3601_000, m[1]);
			assert.match(
				String(error.description),
				/Nucleus asked to wait 3600 s, more than the \d+(\.\d)? s left of the 180 s this request may take/,
			);
			assert.equal(srv.log.length, 1, 'not retried');
		} finally {
			await srv.close();
		}
	});

	test('Max Attempts is honoured: always 503 → exactly that many requests', async () => {
		const srv = await startFake(() => ({ status: 503, body: { error: 'overloaded' } }));
		try {
			const error = await failure(
				run(srv, {
					resource: 'dataset',
					operation: 'get',
					datasetId: rl('ds_1'),
					options: { maxAttempts: 3 },
				}),
			);
			assert.match(
				error.message,
				/^Nucleus API error 503 \(GET dataset\/ds_1\/info\): overloaded$/,
			);
			assert.match(String(error.description), /Gave up after 3 attempts\.$/);
			assert.equal(srv.log.length, 3);
		} finally {
			await srv.close();
		}
	});

	for (const [options, message] of [
		[{ maxAttempts: 0 }, 'Options → Max Attempts must be a whole number from 1 to 10, but is 0'],
		[
			{ maxAttempts: 2.5 },
			'Options → Max Attempts must be a whole number from 1 to 10, but is 2.5',
		],
		[
			{ requestTimeout: 0 },
			'Options → Request Timeout (Seconds) must be a number of seconds from 1 to 600, but is 0',
		],
		[
			{ requestTimeout: 3600 },
			'Options → Request Timeout (Seconds) must be a number of seconds from 1 to 600, but is 3600',
		],
	] as const) {
		test(`${JSON.stringify(options)} is refused before any request`, async () => {
			const srv = await startFake(() => ({ status: 200, body: [] }));
			try {
				const error = await failure(
					run(srv, { resource: 'dataset', operation: 'getMany', returnAll: true, options }),
				);
				assert.equal(error.message, message);
				assert.equal(srv.log.length, 0);
			} finally {
				await srv.close();
			}
		});
	}
});

test('Dataset Item → Delete whose answer was lost: the repeat answers 404, the item is reported deleted', async () => {
	let deleted = false;
	const srv = await startFake((req) => {
		if (req.method !== 'DELETE') return { status: 404, body: {} };
		if (!deleted) {
			deleted = true;
			return 'drop';
		}
		return { status: 404, body: { error: 'Item with reference_id "a" not found' } };
	});
	try {
		const { output } = await run(srv, {
			resource: 'datasetItem',
			operation: 'delete',
			datasetId: rl('ds_1'),
			referenceId: 'a',
		});
		assert.deepEqual(output[0][0].json, { deleted: true, dataset_id: 'ds_1', reference_id: 'a' });
		assert.deepEqual(srv.calls(), ['DELETE dataset/ds_1/refloc/a', 'DELETE dataset/ds_1/refloc/a']);
	} finally {
		await srv.close();
	}
});
