/**
 * Small holes of the same kind as the larger ones:
 * - the credential test fails on a 2xx answer that is not the dataset list;
 * - every query value of a presigned URL is kept out of errors, however short;
 * - Max Attempts and Request Timeout accept "5" as every other number option does, and Update
 *   Metadata and Job → Get Many honour them like every other operation;
 * - reference IDs of one run that only look alike (a trailing space, Unicode NFC/NFD of the same
 *   text) get a warning naming both items;
 * - cancelling while 20,000 File Path items are being checked stops within 1 s.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { startEmulator } from '../emulator';
import { capturedLogEntries, createTestCredentials, runNode, testCredential } from '../harness';
import { jobInfo, startScripted, type ScriptedNucleus } from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

async function run(
	srv: ScriptedNucleus,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	continueOnFail = false,
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: srv.credentials,
		continueOnFail,
	});
}

describe('the credential test on a 2xx that is not the dataset list', () => {
	for (const [what, reply] of [
		['an HTML sign-in page', { text: '<!DOCTYPE html><html><body>Sign in</body></html>' }],
		['a JSON object', { json: { message: 'welcome' } }],
		['a JSON text', { json: 'ok' }],
	] as const) {
		test(`${what}: the test fails`, async () => {
			const srv = await startScripted(() => reply);
			try {
				const result = await testCredential(srv.credentials);
				assert.equal(result.status, 'Error', result.message);
			} finally {
				await srv.close();
			}
		});
	}
});

test('short query values of a presigned URL are not shown in the upload’s error', async () => {
	// S3 error bodies echo parts of the signed request; each value here is under 8 characters.
	const secrets = ['Zx7q', 'k9Pq2', 'AKIA7f'];
	const query = `X-Amz-Credential=${secrets[2]}&X-Amz-Signature=${secrets[1]}&X-Amz-Security-Token=${secrets[0]}`;
	const srv: ScriptedNucleus = await startScripted((req) => {
		if (/^dataset\/ds_1\/signedUrl\/\w+$/.test(req.route)) {
			return { json: { signed_url: `${srv.origin}/upload/x.ndjson?${query}` } };
		}
		if (req.method === 'PUT') {
			return {
				status: 403,
				type: 'application/xml',
				text: `<Error><Code>SignatureDoesNotMatch</Code><Message>Signature ${secrets[1]} does not match for key ${secrets[2]} and token ${secrets[0]}</Message></Error>`,
			};
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
	try {
		const { output } = await run(
			srv,
			{
				resource: 'datasetItem',
				operation: 'append',
				datasetId: rl('ds_1'),
				referenceId: '={{ $json.ref }}',
				imageUrl: '={{ $json.url }}',
				waitForCompletion: false,
			},
			[{ json: { ref: 'a', url: 's3://bucket/a.jpg' } }],
			true,
		);
		const shown = JSON.stringify(output);
		assert.match(shown, /403/, 'the upload failed with its status');
		for (const secret of secrets) assert.ok(!shown.includes(secret), `${secret} is shown`);
	} finally {
		await srv.close();
	}
});

describe('Max Attempts and Request Timeout', () => {
	/** Answers every request 429 with Retry-After: 0 (never processed, so always repeatable). */
	const busy = async () =>
		await startScripted(() => ({
			status: 429,
			json: { error: 'Too many requests' },
			headers: { 'retry-after': '0' },
		}));

	for (const [what, options] of [
		['"2" (text, as an expression gives it)', { maxAttempts: '2' }],
		['2', { maxAttempts: 2 }],
	] as const) {
		test(`Max Attempts ${what} is honoured by Dataset → Get Many`, async () => {
			const srv = await busy();
			try {
				await assert.rejects(
					run(srv, { resource: 'dataset', operation: 'getMany', returnAll: true, options }),
					/429/,
				);
				assert.equal(srv.log.length, 2);
			} finally {
				await srv.close();
			}
		});
	}

	test('Request Timeout "1" (text) is honoured', async () => {
		const srv = await startScripted(() => 'hang');
		try {
			await assert.rejects(
				run(srv, {
					resource: 'dataset',
					operation: 'getMany',
					returnAll: true,
					options: { requestTimeout: '1', maxAttempts: 1 },
				}),
				/no response within 1 s/,
			);
		} finally {
			await srv.close();
		}
	});

	const operations: Array<[string, INodeParameters, INodeExecutionData[]]> = [
		[
			'Update Metadata',
			{
				resource: 'datasetItem',
				operation: 'updateMetadata',
				datasetId: rl('ds_1'),
				referenceId: '={{ $json.ref }}',
				metadataMode: 'allFields',
				excludeFields: 'ref',
			},
			[{ json: { ref: 'a', split: 'val' } }],
		],
		['Job → Get Many', { resource: 'job', operation: 'getMany', returnAll: true }, [{ json: {} }]],
	];
	for (const [what, parameters, input] of operations) {
		test(`${what} honours Max Attempts 2`, async () => {
			const srv = await busy();
			try {
				await assert.rejects(
					run(srv, { ...parameters, options: { maxAttempts: 2 } }, input),
					/429/,
				);
				assert.equal(srv.log.length, 2);
			} finally {
				await srv.close();
			}
		});

		test(`${what} honours Request Timeout 1`, async () => {
			const srv = await startScripted(() => 'hang');
			try {
				await assert.rejects(
					runNode({
						node: new ScaleNucleus(),
						parameters: { ...parameters, options: { requestTimeout: 1, maxAttempts: 1 } },
						input,
						credentials: srv.credentials,
						// Without the option the 60 s default would apply: stop well before.
						abortSignal: AbortSignal.timeout(5_000),
					}),
					/no response within 1 s/,
				);
			} finally {
				await srv.close();
			}
		});
	}
});

describe('reference IDs that only look alike', () => {
	const cases: Array<[string, string, string]> = [
		['a trailing space', 'cat-7', 'cat-7 '],
		['Unicode NFC and NFD of the same text', 'caf\u00e9-3', 'cafe\u0301-3'],
	];
	for (const [what, first, second] of cases) {
		test(`${what}: a warning names both items`, async () => {
			const emu = await startEmulator({ profile: 'fast' });
			try {
				const datasetId = emu.createDataset('look-alike');
				const refs = ['a', 'b', 'c', first, 'd', 'e', 'f', second];
				const input = refs.map((ref) => ({ json: { ref, url: `s3://bucket/${ref.length}.jpg` } }));
				const logsBefore = capturedLogEntries.length;
				const { output, hints } = await runNode({
					node: new ScaleNucleus(),
					parameters: {
						resource: 'datasetItem',
						operation: 'append',
						datasetId: rl(datasetId),
						referenceId: '={{ $json.ref }}',
						imageUrl: '={{ $json.url }}',
						waitForCompletion: false,
					},
					input,
					credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
				});
				assert.ok(output[0].length > 0, 'the append ran');
				const warnings = [
					...hints.map((h) => h.message),
					...capturedLogEntries
						.slice(logsBefore)
						.filter((e) => e.level === 'warn')
						.map((e) => e.message),
				].filter((m) => /\b3\b/.test(m) && /\b7\b/.test(m));
				assert.ok(warnings.length >= 1, 'a warning names items 3 and 7');
			} finally {
				await emu.close();
			}
		});
	}
});

test('cancelling while 20,000 File Path items are checked stops within 1 s', async () => {
	const N = 20_000;
	const dir = await mkdtemp(join(tmpdir(), 'nucleus-paths-'));
	const srv = await startScripted((req) =>
		/append$/.test(req.route) ? { json: jobInfo('job_1') } : { status: 404, json: {} },
	);
	try {
		await writeFile(join(dir, 'img.png'), 'png');
		// One file, many paths to it: checking each path is the work that must stop.
		const input = Array.from({ length: N }, (_, k) => ({
			json: { ref: `r${k}`, path: join(dir, k % 2 ? 'img.png' : `.${'/.'.repeat(k % 7)}/img.png`) },
		}));
		const controller = new AbortController();
		const cancelAt = Date.now() + 300;
		setTimeout(() => controller.abort(), 300);
		let endedAt = 0;
		try {
			await runNode({
				node: new ScaleNucleus(),
				parameters: {
					resource: 'datasetItem',
					operation: 'append',
					mode: 'local',
					imageSource: 'path',
					filePath: '={{ $json.path }}',
					datasetId: rl('ds_1'),
					referenceId: '={{ $json.ref }}',
				},
				input,
				credentials: srv.credentials,
				abortSignal: controller.signal,
			});
		} catch {
			// Cancelled.
		} finally {
			endedAt = Date.now();
		}
		assert.ok(endedAt - cancelAt < 1_000, `ended ${endedAt - cancelAt} ms after the cancel`);
		assert.equal(srv.count(/append$/), 0, 'nothing was sent after the cancel');
	} finally {
		await srv.close();
		await rm(dir, { recursive: true, force: true });
	}
});
