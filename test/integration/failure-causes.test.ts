/**
 * Declared failure causes, the n8n 2.41 way: the node's errors carry NodeApiError's `failure`
 * (n8n-workflow `errors/failure.d.ts`, n8n PR 36531) — `rate-limited` with the wait Nucleus asked
 * for (Retry-After), `temporarily-unavailable` for 5xx and network failures, `credential-invalid`
 * for 401, `configuration-invalid` for a dataset or job that no longer exists.
 *
 * For the trigger, what matters is how n8n's poll back-off reads the error: its own
 * `pollFailureFromError` (n8n/dist/workflows/triggers/poll-backoff-policy.js of the pinned n8n that
 * test/e2e/install-n8n.sh installs) is run over the poll's error, so the test sees the class and the
 * wait n8n will use.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { ensureN8nInstalled } from '../e2e/n8n';
import { createTestCredentials, runNode, runPoll } from '../harness';
import { startScripted, type ScriptedReply } from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

interface Declared {
	cause?: string;
	retryAfterMs?: number;
}

interface PollFailure {
	type: 'transient' | 'permanent';
	retryAfterMs: number | null;
	cause?: string;
}

let pollFailureFromError: (error: unknown, now: Date) => PollFailure;

before(async () => {
	const { dir } = await ensureN8nInstalled();
	const require = createRequire(path.join(dir, 'node_modules', 'n8n', 'package.json'));
	({ pollFailureFromError } = require('./dist/workflows/triggers/poll-backoff-policy.js') as {
		pollFailureFromError: typeof pollFailureFromError;
	});
});

/** The `failure` the error (or an error of its cause chain) declares. */
function declared(error: unknown): Declared | undefined {
	const seen = new Set<unknown>();
	for (let e = error; e && typeof e === 'object' && !seen.has(e); e = (e as Error).cause) {
		seen.add(e);
		const failure = (e as { failure?: Declared }).failure;
		if (failure) return failure;
	}
	return undefined;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	assert.fail('expected an error');
}

const HOUR_S = 3600;

/** Answers, the cause each must declare, and the wait it carries. */
const CASES: Array<[string, ScriptedReply, Declared]> = [
	[
		'429 with Retry-After: 3600',
		{ status: 429, json: { error: 'Too many requests' }, headers: { 'retry-after': `${HOUR_S}` } },
		{ cause: 'rate-limited', retryAfterMs: HOUR_S * 1000 },
	],
	['503', { status: 503, json: { error: 'overloaded' } }, { cause: 'temporarily-unavailable' }],
	['a dropped connection', 'drop', { cause: 'temporarily-unavailable' }],
	['401', { status: 401, json: { error: 'bad key' } }, { cause: 'credential-invalid' }],
];

function assertDeclares(error: unknown, expected: Declared) {
	const failure = declared(error);
	assert.ok(failure, `the error declares a failure: ${(error as Error).message}`);
	assert.equal(failure.cause, expected.cause);
	if (expected.retryAfterMs !== undefined) {
		assert.ok(
			typeof failure.retryAfterMs === 'number' &&
				Math.abs(failure.retryAfterMs - expected.retryAfterMs) <= 2_000,
			`retryAfterMs ${failure.retryAfterMs} ≈ ${expected.retryAfterMs}`,
		);
	}
}

describe('the action node’s errors declare their cause', () => {
	const getDataset: INodeParameters = {
		resource: 'dataset',
		operation: 'get',
		datasetId: rl('ds_1'),
		options: { maxAttempts: 1 },
	};
	for (const [what, reply, expected] of CASES) {
		test(`Dataset → Get answered ${what}: ${expected.cause}`, async () => {
			const srv = await startScripted(() => reply);
			try {
				const error = await rejection(
					runNode({
						node: new ScaleNucleus(),
						parameters: getDataset,
						credentials: srv.credentials,
					}),
				);
				assertDeclares(error, expected);
			} finally {
				await srv.close();
			}
		});
	}

	const gone: Array<[string, INodeParameters]> = [
		['Dataset → Get of a dataset that no longer exists', getDataset],
		[
			'Job → Get Status of a job that no longer exists',
			{ resource: 'job', operation: 'getStatus', jobId: 'job_1' },
		],
	];
	for (const [what, parameters] of gone) {
		test(`${what}: configuration-invalid`, async () => {
			const srv = await startScripted(() => ({ status: 404, json: { error: 'not found' } }));
			try {
				const error = await rejection(
					runNode({ node: new ScaleNucleus(), parameters, credentials: srv.credentials }),
				);
				assertDeclares(error, { cause: 'configuration-invalid' });
			} finally {
				await srv.close();
			}
		});
	}

	test('a Base URL where nothing listens: temporarily-unavailable', async () => {
		const srv = await startScripted(() => ({ status: 200, json: {} }));
		const baseUrl = srv.baseUrl;
		await srv.close();
		const error = await rejection(
			runNode({
				node: new ScaleNucleus(),
				parameters: getDataset,
				credentials: createTestCredentials(baseUrl, 'scripted-key-Zq81nV4'),
			}),
		);
		assertDeclares(error, { cause: 'temporarily-unavailable' });
	});
});

describe('the trigger’s poll failure, as n8n’s poll back-off classifies it', () => {
	const expectations: Array<[string, ScriptedReply, Declared, Omit<PollFailure, 'retryAfterMs'>]> =
		[
			...CASES.map(
				([what, reply, expected]): [
					string,
					ScriptedReply,
					Declared,
					Omit<PollFailure, 'retryAfterMs'>,
				] => [
					what,
					reply,
					expected,
					{
						type: expected.cause === 'credential-invalid' ? 'permanent' : 'transient',
						cause: expected.cause,
					},
				],
			),
			[
				'404 for the watched dataset',
				{ status: 404, json: { error: 'dataset not found' } },
				{ cause: 'configuration-invalid' },
				{ type: 'permanent', cause: 'configuration-invalid' },
			],
		];
	for (const [what, reply, expected, classified] of expectations) {
		test(`the job list answered ${what}: ${classified.type}, ${classified.cause}`, async () => {
			const srv = await startScripted(() => reply);
			try {
				const parameters: IDataObject = { watch: 'dataset', datasetId: rl('ds_1') };
				const error = await rejection(
					runPoll({
						node: new ScaleNucleusTrigger(),
						parameters: parameters as never,
						credentials: srv.credentials,
						mode: 'trigger',
						staticData: {},
					}),
				);
				assertDeclares(error, expected);
				const policy = pollFailureFromError(error, new Date());
				assert.equal(policy.type, classified.type);
				assert.equal(policy.cause, classified.cause);
				if (expected.retryAfterMs !== undefined) {
					assert.ok(
						policy.retryAfterMs !== null &&
							Math.abs(policy.retryAfterMs - expected.retryAfterMs) <= 2_000,
						`n8n waits ${policy.retryAfterMs} ms`,
					);
				}
			} finally {
				await srv.close();
			}
		});
	}
});

describe('what the trigger itself refuses, as n8n’s poll back-off classifies it', () => {
	const cases: Array<[string, IDataObject, ScriptedReply, Omit<PollFailure, 'retryAfterMs'>]> = [
		[
			'the job list answered a 2xx HTML page',
			{ watch: 'dataset', datasetId: rl('ds_1') },
			{ status: 200, text: '<!doctype html><title>Sign in</title>' },
			{ type: 'transient', cause: 'temporarily-unavailable' },
		],
		[
			'a Dataset ID that cannot be one (nothing sent)',
			{ watch: 'dataset', datasetId: rl('ds_1/../x') },
			{ status: 500, json: {} },
			{ type: 'permanent', cause: 'configuration-invalid' },
		],
	];
	for (const [what, parameters, reply, classified] of cases) {
		test(`${what}: ${classified.type}, ${classified.cause}`, async () => {
			const srv = await startScripted(() => reply);
			try {
				const error = await rejection(
					runPoll({
						node: new ScaleNucleusTrigger(),
						parameters: parameters as never,
						credentials: srv.credentials,
						mode: 'trigger',
						staticData: {},
					}),
				);
				assertDeclares(error, { cause: classified.cause });
				const policy = pollFailureFromError(error, new Date());
				assert.equal(policy.type, classified.type);
				assert.equal(policy.cause, classified.cause);
			} finally {
				await srv.close();
			}
		});
	}
});
