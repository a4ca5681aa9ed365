/**
 * Look-first adopts only what is provably ours. After an answer is lost, Dataset → Create and the
 * remote (presigned) append may take a dataset or a job as the one they made only on evidence no
 * other writer could produce: not a name alone, not an item count alone, not a job older than the
 * request, not a snapshot that could not be read. Where ownership cannot be proved, the node takes
 * the side that loses nothing: the append sends again (a second job over the same reference IDs
 * stores nothing twice), Create never reports another writer's dataset as the one it created.
 * The look is cheap: nothing is listed when the first attempt answers, and the job listing is
 * narrowed to the dataset and the append's job type.
 *
 * The other writers and the lost answers need a server that misbehaves on purpose
 * (test/harness/scripted-nucleus.ts); each keeps the state the real API would.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { runNode } from '../harness';
import {
	jobInfo,
	jobStatus,
	startScripted,
	type ScriptedNucleus,
	type ScriptedReply,
	type ScriptedRequest,
} from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(
	srv: ScriptedNucleus,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: srv.credentials,
		continueOnFail: true,
	});
}

// ---------------------------------------------------------------------------------------------
// Dataset → Create

interface Dataset {
	id: string;
	name: string;
	/** The create request that made it, or undefined when another writer did. */
	byRequest?: number;
}

async function createServer(onCreate: (n: number, make: () => string) => ScriptedReply) {
	const datasets: Dataset[] = [{ id: 'ds_old', name: 'street-scenes' }];
	let creates = 0;
	const srv = await startScripted((req) => {
		if (req.line === 'GET dataset/details') {
			return { json: datasets.map((d) => ({ id: d.id, name: d.name, is_public: false })) };
		}
		if (req.line === 'POST dataset/create') {
			const n = ++creates;
			const make = () => {
				const id = `ds_${datasets.length}`;
				datasets.push({ id, name: 'street-scenes', byRequest: n });
				return id;
			};
			return onCreate(n, make);
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
	return Object.assign(srv, { datasets });
}

const createParams = { resource: 'dataset', operation: 'create', name: 'street-scenes' };

/** The run's one output item: either the dataset it reports created, or an error item. */
function createdOrError(output: INodeExecutionData[][], datasets: Dataset[]) {
	assert.equal(output[0].length, 1, 'one output item for the one input');
	const json = output[0][0].json;
	if (json.error !== undefined) return { error: String(json.error) };
	const made = datasets.find((d) => d.id === json.dataset_id);
	assert.ok(made, `the reported dataset ${String(json.dataset_id)} exists`);
	return { made };
}

describe('Dataset → Create: another writer’s dataset is never reported as created', () => {
	for (const [what, lost] of [
		['the connection dropped before the create was applied', 'drop'],
		['a 504 before the create was applied', { status: 504, text: 'gateway timeout' }],
	] as const) {
		test(`${what}, and meanwhile someone else created a dataset of that name`, async () => {
			const srv = await createServer((n, make) => {
				if (n > 1) return { json: { dataset_id: make(), name: 'street-scenes' } };
				srv.datasets.push({ id: 'ds_foreign', name: 'street-scenes' });
				return lost;
			});
			try {
				const { output } = await run(srv, createParams);
				const result = createdOrError(output, srv.datasets);
				if (result.error !== undefined) {
					assert.match(result.error, /street-scenes|ds_foreign/, 'the error names what may exist');
				} else {
					assert.notEqual(result.made.id, 'ds_foreign', 'not the other writer’s dataset');
					assert.ok(result.made.byRequest !== undefined, 'a dataset one of its requests made');
				}
			} finally {
				await srv.close();
			}
		});
	}

	test('a create applied only after the Request Timeout is not adopted from a look by name alone', async () => {
		// The first create hangs; the server applies it 1.2 s later, after the node gave up at 1 s.
		// A same-named dataset that shows up then carries nothing that ties it to this request.
		const srv = await createServer((n, make) => {
			if (n > 1) return { json: { dataset_id: make(), name: 'street-scenes' } };
			setTimeout(() => srv.datasets.push({ id: 'ds_late', name: 'street-scenes' }), 1_000);
			return 'hang';
		});
		try {
			const { output } = await run(srv, { ...createParams, options: { requestTimeout: 1 } });
			const result = createdOrError(output, srv.datasets);
			if (result.error !== undefined) {
				assert.match(result.error, /street-scenes|ds_late/);
			} else {
				assert.notEqual(result.made.id, 'ds_late');
			}
		} finally {
			await srv.close();
		}
	});

	test('a create answered at once costs one request: no listing of every dataset', async () => {
		const srv = await createServer((_n, make) => ({
			json: { dataset_id: make(), name: 'street-scenes' },
		}));
		try {
			const { output } = await run(srv, createParams);
			assert.equal(output[0][0].json.dataset_id, 'ds_1');
			assert.deepEqual(srv.lines(), ['POST dataset/create']);
		} finally {
			await srv.close();
		}
	});
});

// ---------------------------------------------------------------------------------------------
// Append (remote, presigned): the job of this upload

interface Job {
	id: string;
	total: number;
	requestId: string;
	created: string;
}

/**
 * The presigned flow of one dataset, ds_1 (nucleus-api.md 3.1): signed URL, PUT, `append?async=1`
 * with `{requestId}`, and the jobs: `POST jobs/` lists them, `GET job/{id}` carries the upload's
 * `PayloadUrl` in its message (the SDK's own test blanks `message.PayloadUrl` of an append job's
 * status, tests/test_dataset.py) and the ingest count (api §5.3).
 */
async function appendServer(
	onAppend: (n: number, start: () => Record<string, unknown>) => ScriptedReply,
	listing: (n: number, jobs: Job[]) => ScriptedReply = (_n, jobs) => ({
		json: jobs.map((j) => jobInfo(j.id, { created: j.created, datasetId: 'ds_1' })),
	}),
) {
	const uploads = new Map<string, number>();
	const jobs: Job[] = [];
	let appends = 0;
	let listings = 0;
	const srv = await startScripted((req: ScriptedRequest) => {
		const signed = /^dataset\/ds_1\/signedUrl\/(\w+)$/.exec(req.route);
		if (req.method === 'GET' && signed) {
			return { json: { signed_url: `${srv.origin}/upload/${signed[1]}.ndjson?X-Amz-Signature=s` } };
		}
		const put = /^\/upload\/(\w+)\.ndjson$/.exec(req.route);
		if (req.method === 'PUT' && put) {
			uploads.set(put[1], req.body.toString().split('\n').filter(Boolean).length);
			return { status: 200, text: '' };
		}
		if (req.line === 'POST jobs/') return listing(++listings, jobs);
		const status = /^job\/(\w+)$/.exec(req.route);
		if (req.method === 'GET' && status) {
			const job = jobs.find((j) => j.id === status[1]);
			if (!job) return { status: 404, json: { error: 'no such job' } };
			return {
				json: jobStatus(job.id, 'Queued', {
					PayloadUrl: `s3://nucleus-uploads/ds_1/${job.requestId}.ndjson`,
					ingest_to_reupload_queue: { epoch: 1, total: job.total, processed: 0 },
				}),
			};
		}
		if (req.line === 'POST dataset/ds_1/append' && req.query.get('async')) {
			const requestId = String((req.json as IDataObject).requestId);
			const start = () => {
				const job = {
					id: `job_${jobs.length + 1}`,
					total: uploads.get(requestId) ?? 0,
					requestId,
					created: new Date().toISOString(),
				};
				jobs.push(job);
				return jobInfo(job.id, { created: job.created });
			};
			return onAppend(++appends, start);
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
	return Object.assign(srv, { jobs, ourRequestIds: () => [...uploads.keys()] });
}

const remote = ['a', 'b', 'c'].map((ref) => ({ json: { ref, url: `s3://bucket/${ref}.jpg` } }));
const appendParams: INodeParameters = {
	resource: 'datasetItem',
	operation: 'append',
	datasetId: rl('ds_1'),
	referenceId: '={{ $json.ref }}',
	imageUrl: '={{ $json.url }}',
	waitForCompletion: false,
};

/** The one job summary of a remote append without waiting, and the job it names. */
function reportedJob(output: INodeExecutionData[][], jobs: Job[]): Job {
	assert.equal(output[0].length, 1, 'one job summary');
	const json = output[0][0].json;
	assert.equal(json.error, undefined, `no error item: ${String(json.error)}`);
	const job = jobs.find((j) => j.id === json.job_id);
	assert.ok(job, `the reported job ${String(json.job_id)} exists`);
	return job;
}

describe('Append (remote): a job is taken as this upload’s only when it names this upload', () => {
	test('another execution’s job of the same size appears while the answer is lost: sent again, not adopted', async () => {
		const srv = await appendServer((n, start) => {
			if (n > 1) return { json: start() };
			// Not started; meanwhile another run appends 3 items to the same dataset.
			srv.jobs.push({ id: 'job_other', total: 3, requestId: 'f'.repeat(32), created: now() });
			return 'drop';
		});
		try {
			const { output } = await run(srv, appendParams, remote);
			const job = reportedJob(output, srv.jobs);
			assert.notEqual(job.id, 'job_other', 'the other run’s job is not reported as this one');
			assert.ok(srv.ourRequestIds().includes(job.requestId), 'the job is over this upload');
		} finally {
			await srv.close();
		}
	});

	test('a same-size job from hours ago is not adopted when the first listing was a 2xx of the wrong shape', async () => {
		const hoursAgo = new Date(Date.now() - 5 * 3600_000).toISOString();
		const srv = await appendServer(
			(n, start) => (n > 1 ? { json: start() } : 'drop'),
			(n, jobs) =>
				n === 1
					? { json: { jobs: 'temporarily unavailable' } }
					: { json: jobs.map((j) => jobInfo(j.id, { created: j.created, datasetId: 'ds_1' })) },
		);
		srv.jobs.push({ id: 'job_old', total: 3, requestId: 'e'.repeat(32), created: hoursAgo });
		try {
			const { output } = await run(srv, appendParams, remote);
			const job = reportedJob(output, srv.jobs);
			assert.notEqual(job.id, 'job_old', 'a job created before the request is never its job');
			assert.ok(srv.ourRequestIds().includes(job.requestId));
		} finally {
			await srv.close();
		}
	});

	test('its own job, named by the upload, is still found after a lost answer, with a narrow listing', async () => {
		const srv = await appendServer((n, start) => {
			const job = start();
			return n === 1 ? 'drop' : { json: job };
		});
		try {
			const { output } = await run(srv, appendParams, remote);
			assert.equal(reportedJob(output, srv.jobs).id, 'job_1');
			assert.equal(srv.jobs.length, 1, 'no second job');
			const listings = srv.log.filter((r) => r.line === 'POST jobs/');
			assert.ok(listings.length >= 1, 'the look listed the jobs');
			for (const listing of listings) {
				const body = listing.json as IDataObject;
				assert.equal(body.dataset_id, 'ds_1', 'only this dataset’s jobs');
				assert.deepEqual(body.job_types, ['uploadDatasetItems'], 'only append jobs');
			}
		} finally {
			await srv.close();
		}
	});

	test('an append answered at once lists no jobs at all', async () => {
		const srv = await appendServer((_n, start) => ({ json: start() }));
		try {
			const { output } = await run(srv, appendParams, remote);
			assert.equal(reportedJob(output, srv.jobs).id, 'job_1');
			assert.equal(srv.count('POST jobs/'), 0, 'no job listing when nothing was lost');
		} finally {
			await srv.close();
		}
	});
});

function now(): string {
	return new Date().toISOString();
}
