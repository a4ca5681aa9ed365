/**
 * Waits (nodes/shared/jobs/wait.ts, used by Append Items and Job → Wait for Completion) against a
 * misbehaving server (test/integration/fake-nucleus.ts):
 * - the Timeout bounds the whole wait, in-flight requests included: a server that never answers ends
 *   a 1 s wait in about a second, not after the transport's 60–120 s header timeout;
 * - transient answers do not end a wait: a 500, an HTML page, truncated JSON, a 503 and a 404 in the
 *   first seconds are ridden out and the final status is reported;
 * - a 404 that outlasts the grace period, or a 401/403, ends the wait for that job only; with
 *   On Error → Continue the other jobs are output as usual.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { waitForJobs } from '../../nodes/shared/jobs/wait';
import { NucleusClient } from '../../nodes/shared/transport';
import { runNode, type RunNodeOptions } from '../harness';
import {
	FAKE_API_KEY,
	html,
	jsonAnswer,
	startFakeNucleus,
	truncated,
	type FakeAnswer,
	type FakeNucleus,
	type FakeRequest,
} from './fake-nucleus';
import { ScaleNucleus, appendParams, json } from './scale-nucleus';

/** The job of an output item: a result's own job_id, or an error item's details.job_id. */
function jobIdOf(json: Record<string, unknown>): unknown {
	return json.job_id ?? (json.details as { job_id?: string } | undefined)?.job_id;
}

let fake: FakeNucleus;
let handler: (req: FakeRequest) => FakeAnswer;
beforeEach(async () => {
	handler = () => jsonAnswer({ error: 'not scripted' }, 500);
	fake = await startFakeNucleus((req) => handler(req));
});
afterEach(async () => {
	await fake.close();
});

const JOB_A = 'job_aaaaaaaaaaaaaaaaaaaa';
const JOB_B = 'job_bbbbbbbbbbbbbbbbbbbb';
const DS = 'ds_wwwwwwwwwwwwwwwwwwww';

const status = (jobId: string, s: string): FakeAnswer =>
	jsonAnswer({
		job_id: jobId,
		status: s,
		message: {},
		job_progress: s === 'Completed' ? '1.00' : '0.50',
		completed_steps: s === 'Completed' ? 2 : 1,
		total_steps: 2,
	});

const notFound = (jobId: string): FakeAnswer =>
	jsonAnswer({ error: `Job ${jobId} not found`, status_code: 404 }, 404);

const run = (
	parameters: INodeParameters,
	input: INodeExecutionData[] = [json({})],
	more: Partial<RunNodeOptions> = {},
) =>
	runNode({ node: new ScaleNucleus(), parameters, input, credentials: fake.credentials, ...more });

const waitParams = (extra: INodeParameters = {}): INodeParameters => ({
	resource: 'job',
	operation: 'waitForCompletion',
	jobId: '={{ $json.job }}',
	pollInterval: 0.1,
	timeout: 30,
	...extra,
});

const pollsOf = (jobId: string) => fake.lines().filter((l) => l === `GET job/${jobId}`).length;

/** Answers the poll number n (0-based) of `jobId` with `script[n]` (the last one repeats). */
function scripted(jobId: string, script: FakeAnswer[], errors: FakeAnswer = jsonAnswer([])) {
	let n = 0;
	return (req: FakeRequest): FakeAnswer | undefined => {
		if (req.path === `job/${jobId}`) return script[Math.min(n++, script.length - 1)];
		if (req.path === `job/${jobId}/errors`) return errors;
		return undefined;
	};
}

describe('the timeout bounds the whole wait', () => {
	test('Job → Wait for Completion, Timeout 1 s, a server that never answers: ends within the bound, naming the job', async () => {
		handler = () => ({ hang: true });
		const started = Date.now();
		await assert.rejects(
			run(waitParams({ timeout: 1 }), [json({ job: JOB_A })]),
			(error: Error & { description?: string }) => {
				assert.equal(
					error.message,
					`Job ${JOB_A} did not finish within 1 s (no status could be read)`,
				);
				assert.match(String(error.description), new RegExp(`Job ID ${JOB_A}`));
				// The request's timeout is what is left of the wait's 1 s, so it may be tenths of a second.
				assert.match(String(error.description), /no response within (1|0\.\d) s/);
				return true;
			},
		);
		const elapsedMs = Date.now() - started;
		// A bound, not a speed: without it the first poll alone waits for the transport's header timeout.
		assert.ok(elapsedMs < 10_000, `ended after ${elapsedMs} ms`);
		assert.equal(pollsOf(JOB_A), 1, 'one poll, cut off at the timeout');
		console.log(`waits: a 1 s wait on a server that never answers ended after ${elapsedMs} ms`);
	});

	test('Append Items waiting, Timeout 1 s, job status never answered: ends within the bound, naming the job', async () => {
		handler = (req) => {
			if (req.method === 'GET' && req.path.startsWith(`dataset/${DS}/signedUrl/`)) {
				return jsonAnswer({ signed_url: `${fake.origin}/upload/items.ndjson?X-Amz-Signature=s` });
			}
			if (req.method === 'PUT' && req.path.startsWith('/upload/')) return { status: 200, body: '' };
			// The append's look-first listing (before sending) is answered; only the job status hangs.
			if (req.method === 'POST' && req.path === 'jobs/') return jsonAnswer([]);
			if (req.method === 'POST' && req.path === `dataset/${DS}/append?async=1`) {
				return jsonAnswer({
					job_id: JOB_A,
					job_last_known_status: 'Queued',
					job_type: 'uploadDatasetItems',
					job_creation_time: new Date().toISOString(),
				});
			}
			return { hang: true };
		};
		const started = Date.now();
		await assert.rejects(
			run(
				appendParams(DS, { waitForCompletion: true, options: { pollInterval: 0.1, timeout: 1 } }),
				[json({ ref: 'a', url: 's3://b/a.jpg' }), json({ ref: 'b', url: 's3://b/b.jpg' })],
			),
			(error: Error & { description?: string }) => {
				assert.equal(
					error.message,
					`Job ${JOB_A} did not finish within 1 s (no status could be read)`,
				);
				assert.match(String(error.description), new RegExp(`Jobs created in this run .*${JOB_A}`));
				return true;
			},
		);
		const elapsedMs = Date.now() - started;
		assert.ok(elapsedMs < 10_000, `ended after ${elapsedMs} ms`);
		assert.equal(pollsOf(JOB_A), 1);
		console.log(
			`waits: Append's 1 s wait on a status that never comes ended after ${elapsedMs} ms`,
		);
	});
});

describe('transient answers do not end a wait', () => {
	const SCRIPT = (jobId: string): FakeAnswer[] => [
		notFound(jobId), // a new job may not be visible at once
		jsonAnswer({ error: 'Internal Server Error' }, 500),
		html('Service temporarily unavailable'),
		truncated({ job_id: jobId, status: 'Running' }, 15),
		{ status: 503, type: 'text/plain', body: 'upstream connect error' },
		status(jobId, 'Running'),
		status(jobId, 'Completed'),
	];

	test('Job → Wait for Completion sees 404, 500, HTML, truncated JSON and 503, then reports Completed', async () => {
		const a = scripted(JOB_A, SCRIPT(JOB_A), jsonAnswer(['one error']));
		handler = (req) => a(req) ?? jsonAnswer({ error: 'unexpected' }, 500);
		const { output } = await run(waitParams(), [json({ job: JOB_A })]);
		assert.equal(output[0].length, 1);
		const result = output[0][0].json;
		assert.deepEqual(
			[
				result.job_id,
				result.status,
				result.succeeded,
				result.final,
				result.error_count,
				result.errors,
			],
			[JOB_A, 'Completed', true, true, 1, ['one error']],
		);
		assert.equal(pollsOf(JOB_A), 7, 'every answer was one poll; none ended the wait');
	});

	test('Append Items (waiting) rides out the same answers and gives every item its result', async () => {
		const a = scripted(JOB_A, SCRIPT(JOB_A));
		handler = (req) => {
			if (req.method === 'GET' && req.path.startsWith(`dataset/${DS}/signedUrl/`)) {
				return jsonAnswer({ signed_url: `${fake.origin}/upload/items.ndjson` });
			}
			if (req.method === 'PUT') return { status: 200, body: '' };
			if (req.method === 'POST' && req.path === `dataset/${DS}/append?async=1`) {
				return jsonAnswer({ job_id: JOB_A, job_last_known_status: 'Queued' });
			}
			return a(req) ?? jsonAnswer({ error: 'unexpected' }, 500);
		};
		const { output } = await run(
			appendParams(DS, { waitForCompletion: true, options: { pollInterval: 0.1, timeout: 30 } }),
			[json({ ref: 'a', url: 's3://b/a.jpg' }), json({ ref: 'b', url: 's3://b/b.jpg' })],
		);
		assert.deepEqual(
			output[0].map((i) => [i.json.reference_id, i.json.outcome, i.json.succeeded]),
			[
				['a', 'appended', true],
				['b', 'appended', true],
			],
		);
		assert.equal(pollsOf(JOB_A), 7);
	});
});

describe('answers that do end the wait, for that job only', () => {
	test('a 403 ends the wait for its job at once; with Continue the other job is output as usual', async () => {
		const a = scripted(JOB_A, [status(JOB_A, 'Running'), status(JOB_A, 'Completed')]);
		handler = (req) =>
			a(req) ??
			(req.path === `job/${JOB_B}`
				? jsonAnswer({ error: 'Forbidden for this key' }, 403)
				: jsonAnswer({ error: 'unexpected' }, 500));
		const input = [json({ job: JOB_A }), json({ job: JOB_B })];
		const { output } = await run(waitParams(), input, { continueOnFail: true });
		assert.deepEqual(
			output[0].map((i) => [jobIdOf(i.json), i.json.status ?? null, typeof i.json.error]),
			[
				[JOB_A, 'Completed', 'undefined'],
				[JOB_B, null, 'string'],
			],
		);
		assert.match(
			String(output[0][1].json.error),
			new RegExp(`^Job ${JOB_B} could not be read: Nucleus API error 403 .*Forbidden for this key`),
		);
		assert.equal(pollsOf(JOB_B), 1, 'not polled again');
		assert.equal(pollsOf(JOB_A), 2);
	});

	test("a finished job whose errors answer is an HTML page is an error item; the other job's result stays", async () => {
		const a = scripted(JOB_A, [status(JOB_A, 'Completed')], html());
		const b = scripted(JOB_B, [status(JOB_B, 'Completed')], jsonAnswer([]));
		handler = (req) => a(req) ?? b(req) ?? jsonAnswer({ error: 'unexpected' }, 500);
		const input = [json({ job: JOB_A }), json({ job: JOB_B })];
		const { output } = await run(waitParams(), input, { continueOnFail: true });
		assert.deepEqual(
			output[0].map((i) => [jobIdOf(i.json), i.json.error_count ?? null]),
			[
				[JOB_A, null],
				[JOB_B, 0],
			],
		);
		assert.equal(
			output[0][0].json.error,
			`Job ${JOB_A} finished Completed, but its errors could not be read: Nucleus answered GET job/${JOB_A}/errors with an HTML page ('<!DOCTYPE html><html><head><title>Portal</title></head><body>Sign in to continue</body></html>'); expected the job's errors (a JSON array of texts)`,
		);
		await assert.rejects(run(waitParams(), input), (error: Error) => {
			assert.match(error.message, new RegExp(`^Job ${JOB_A} finished Completed, but its errors`));
			return true;
		});
	});

	test('a 404 that outlasts the grace period ends the wait for that job as unknown; one that clears goes on', async () => {
		const node: INode = {
			id: 'w',
			name: 'Wait',
			type: 'n8n-nodes-scale-nucleus.scaleNucleus',
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		// B becomes visible after three 404s; A never does.
		const b = scripted(JOB_B, [
			notFound(JOB_B),
			notFound(JOB_B),
			notFound(JOB_B),
			status(JOB_B, 'Completed'),
		]);
		handler = (req) =>
			b(req) ?? (req.path === `job/${JOB_A}` ? notFound(JOB_A) : jsonAnswer({}, 500));
		const client = new NucleusClient(node, { apiKey: FAKE_API_KEY, baseUrl: fake.baseUrl });
		try {
			const started = Date.now();
			const results = await waitForJobs(client, [JOB_A, JOB_B], {
				intervalMs: 100,
				timeoutMs: 20_000,
				notFoundGraceMs: 600,
			});
			const elapsedMs = Date.now() - started;
			const a = results.get(JOB_A)!;
			assert.equal(a.state, 'failed');
			assert.equal(String((a as { error: { httpCode?: string } }).error.httpCode), '404');
			assert.ok(elapsedMs >= 600, `not before the grace period (${elapsedMs} ms)`);
			assert.ok(elapsedMs < 20_000, 'long before the timeout');
			assert.ok(pollsOf(JOB_A) >= 3, `asked again during the grace period (${pollsOf(JOB_A)})`);
			const bResult = results.get(JOB_B)!;
			assert.equal(bResult.state, 'final');
			assert.equal((bResult as { status: { status: string } }).status.status, 'Completed');
		} finally {
			await client.close();
		}
	});
});
