/**
 * Secrets: the API key (and the Base64 of `key:`, the Basic-auth header) never appears in an output
 * item, an error message, an error description or a log line.
 *
 * The check itself lives in the harness (test/harness/secrets.ts): every runNode/runPoll/
 * testCredential of this package's nodes, in every test file, is scanned — outputs, hints, thrown
 * errors with all their fields and causes, and the log lines captured since the last scan — and a
 * hit fails the run. This file drives the error paths with a distinctive key, checks that the scan
 * really ran on each of them (its counters), and shows that the scan does catch a leak.
 *
 * Over ~350 lines because every error path (wrong key, refused and failed requests, job errors, URL
 * user info, redirects) is driven here against the same distinctive key and its scan counters.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.ts';
import { startEmulator, type Emulator } from '../emulator';
import {
	SecretLeakError,
	capturedLogs,
	createTestCredentials,
	makeBinaryItem,
	runNode,
	runPoll,
	secretScanStats,
	testCredential,
} from '../harness';
import { addScanSecrets } from '../harness/secrets';
import { ScaleNucleus, appendParams, json, rl } from './reliability-common';

const KEY = 'live_SECRET_k3y_Reliability_7f3a9c1e5d';
const WRONG_KEY = 'live_WRONG_k3y_Reliability_0b4d2f6a8c';
const b64 = (key: string) => Buffer.from(`${key}:`).toString('base64');

let emu: Emulator;
before(async () => {
	emu = await startEmulator({ apiKey: KEY });
});
after(async () => {
	await emu.close();
});

const credentials = (key = KEY, baseUrl?: string) =>
	createTestCredentials(baseUrl ?? emu.baseUrl, key);

/** Runs the node expecting it to end in an error (thrown, or error items with Continue On Fail). */
async function runExpectingError(
	run: () => Promise<{ output: INodeExecutionData[][] }>,
): Promise<string> {
	try {
		const { output } = await run();
		const errors = output.flat().filter((item) => item.json.error !== undefined);
		assert.ok(errors.length > 0, 'the run produced error items');
		return errors.map((item) => String(item.json.error)).join('\n');
	} catch (error) {
		assert.ok(!(error instanceof SecretLeakError), (error as Error).message);
		return `${(error as Error).message}\n${(error as { description?: string }).description ?? ''}`;
	}
}

async function closedPortUrl(): Promise<string> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise((resolve) => probe.close(resolve));
	return `http://127.0.0.1:${port}/v1/nucleus`;
}

describe('no secret in outputs, errors or logs, on every error path', () => {
	test(
		'401, 404, 429/5xx exhaustion, storage failure, network error, validation, trigger and credential test',
		{ timeout: 120_000 },
		async () => {
			const ds = emu.createDataset('secrets');
			const start = secretScanStats();
			const logStart = capturedLogs.length;
			const texts: string[] = [];
			let runs = 0;
			const node = () => new ScaleNucleus();
			const remote = [
				json({ ref: 'a', url: 's3://b/a.jpg' }),
				json({ ref: 'b', url: 's3://b/b.jpg' }),
			];

			// 401: the wrong key is the credential's key here, and must not leak either.
			for (const waitForCompletion of [true, false]) {
				texts.push(
					await runExpectingError(() =>
						runNode({
							node: node(),
							parameters: appendParams(ds, { waitForCompletion }),
							input: remote,
							credentials: credentials(WRONG_KEY),
						}),
					),
				);
				texts.push(
					await runExpectingError(() =>
						runNode({
							node: node(),
							parameters: appendParams(ds, { waitForCompletion }),
							input: remote,
							credentials: credentials(WRONG_KEY),
							continueOnFail: true,
						}),
					),
				);
				runs += 2;
			}
			// 404: unknown dataset, unknown job, unknown item.
			for (const parameters of [
				appendParams('ds_unknown404', { waitForCompletion: true, options: { pollInterval: 0.1 } }),
				{ resource: 'dataset', operation: 'get', datasetId: rl('ds_unknown404') },
				{ resource: 'job', operation: 'getStatus', jobId: 'job_unknown404' },
				{ resource: 'datasetItem', operation: 'get', datasetId: rl(ds), referenceId: 'nope' },
			]) {
				texts.push(
					await runExpectingError(() =>
						runNode({ node: node(), parameters, input: remote, credentials: credentials() }),
					),
				);
				runs += 1;
			}
			// Attempts run out: 100% 503 on the API, 100% 429, then 100% 503 on the presigned storage upload.
			for (const faults of [{ rate5xx: 1 }, { rate429: 1, retryAfterS: 0 }]) {
				emu.setFaults(faults);
				texts.push(
					await runExpectingError(() =>
						runNode({
							node: node(),
							parameters: appendParams(ds, {
								waitForCompletion: true,
								options: { pollInterval: 0.1 },
							}),
							input: remote,
							credentials: credentials(),
							continueOnFail: true,
						}),
					),
				);
				runs += 1;
				emu.resetFaults();
			}
			emu.setFaults({ rate5xx: 1, routes: /^\/__storage\// });
			texts.push(
				await runExpectingError(() =>
					runNode({
						node: node(),
						parameters: appendParams(ds),
						input: remote,
						credentials: credentials(),
					}),
				),
			);
			runs += 1;
			emu.resetFaults();
			// Local upload whose request fails for good.
			emu.setFaults({ rate5xx: 1 });
			const image = await makeBinaryItem(Buffer.from('img'), 'a.png', 'image/png', { ref: 'img' });
			texts.push(
				await runExpectingError(() =>
					runNode({
						node: node(),
						parameters: appendParams(ds, { mode: 'local', imageSource: 'binary' }),
						input: [image],
						credentials: credentials(),
					}),
				),
			);
			runs += 1;
			emu.resetFaults();
			// Network error: nothing listens at the Base URL.
			const closed = await closedPortUrl();
			texts.push(
				await runExpectingError(() =>
					runNode({
						node: node(),
						parameters: appendParams(ds, {
							waitForCompletion: true,
							options: { pollInterval: 0.1 },
						}),
						input: remote,
						credentials: credentials(KEY, closed),
					}),
				),
			);
			runs += 1;
			// Validation errors (nothing is sent; the key is still in the credential).
			texts.push(
				await runExpectingError(() =>
					runNode({
						node: node(),
						parameters: appendParams(ds, {
							waitForCompletion: true,
							options: { pollInterval: 0.1 },
						}),
						input: [
							json({ ref: '', url: 'ftp://x/y.jpg' }),
							json({ ref: 'z', url: 'https://example.com/z.jpg' }),
						],
						credentials: credentials(),
						onError: 'continueErrorOutput',
					}).then((r) => ({ output: [r.output[1]] })),
				),
			);
			runs += 1;
			// The trigger's poll with a wrong key, and n8n's credential test.
			await assert.rejects(
				runPoll({
					node: new ScaleNucleusTrigger(),
					parameters: {},
					credentials: credentials(WRONG_KEY),
					mode: 'manual',
					staticData: {},
				}),
				(error: Error) => !(error instanceof SecretLeakError),
			);
			runs += 1;
			const credentialTest = await testCredential(credentials(WRONG_KEY));
			assert.equal(credentialTest.status, 'Error');
			texts.push(credentialTest.message);
			runs += 1;

			// The harness scanned every one of these runs (outputs, errors, logs) and found nothing.
			const end = secretScanStats();
			assert.equal(end.runs - start.runs, runs, 'every run was scanned');
			assert.ok(end.errorsScanned - start.errorsScanned >= 8, 'thrown errors were scanned');
			assert.equal(end.leaks, start.leaks);
			assert.ok(end.logLinesScanned > start.logLinesScanned, 'log lines were scanned');
			// And, independently of the harness, the collected messages and this test's log lines are clean.
			const all = [...texts, ...capturedLogs.slice(logStart)].join('\n');
			for (const secret of [
				KEY,
				WRONG_KEY,
				b64(KEY),
				b64(WRONG_KEY),
				b64(KEY).replace(/=+$/, ''),
			]) {
				assert.ok(!all.includes(secret), 'no secret in messages or logs');
			}
			// The error texts are still useful.
			assert.match(all, /Check the API key/);
			assert.match(all, /Could not reach Nucleus at 127\.0\.0\.1/);
			assert.match(all, /Nucleus API error 503/);
			assert.match(all, /Upload to .* failed with HTTP 503/);
			console.log(
				`secrets: ${runs} error-path runs scanned (${end.valuesScanned - start.valuesScanned} values, ${end.logLinesScanned - start.logLinesScanned} log lines), 0 leaks`,
			);
		},
	);
});

describe('URL user info: sent to Nucleus as given, never shown', () => {
	const PASSWORD = 'Pw-in-the-image-url-7x9';
	const USER = 'alice.from.url';
	const good = `https://${USER}:${PASSWORD}@images.example.com/a.jpg`;
	const bad = `https://${USER}:${PASSWORD}@images.invalid/b.jpg`;

	test(
		'Append (waiting and not), validation errors, Get Errors, Get and the trigger show URLs without user:password@',
		{ timeout: 60_000 },
		async () => {
			// From here on every scanned run in this file fails if the password or user name shows anywhere.
			addScanSecrets([
				{ value: PASSWORD, variant: 'password of an image URL' },
				{ value: USER, variant: 'user name of an image URL' },
			]);
			const start = secretScanStats();
			const ds = emu.createDataset('userinfo');
			const node = () => new ScaleNucleus();
			const input = [json({ ref: 'good', url: good }), json({ ref: 'bad', url: bad })];

			const waited = await runNode({
				node: node(),
				parameters: appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
				input,
				credentials: credentials(),
				continueOnFail: true,
			});
			const [okItem, badItem] = waited.output[0];
			assert.equal(okItem.json.image_url, 'https://images.example.com/a.jpg');
			assert.equal(okItem.json.outcome, 'appended');
			assert.equal(badItem.json.image_url, 'https://images.invalid/b.jpg');
			assert.equal(badItem.json.outcome, 'failed', 'the job error still maps to its item');
			assert.equal(
				badItem.json.error_message,
				'Failure when processing the image "https://images.invalid/b.jpg": could not fetch image (host not found)',
			);
			// What Nucleus got is the URL as the user gave it.
			assert.equal(emu.getItem(ds, 'good')?.image_url, good);
			const jobId = String(badItem.json.job_id);

			const notWaited = await runNode({
				node: node(),
				parameters: appendParams(ds, { waitForCompletion: false, updateExisting: true }),
				input,
				credentials: credentials(),
			});
			assert.equal(notWaited.output[0].length, 1);

			// A URL the node refuses is quoted without its user info, even when it is long.
			const refused = await runNode({
				node: node(),
				parameters: appendParams(ds),
				input: [
					json({ ref: 'g', url: `gcs://${USER}:${PASSWORD}@bucket/x.jpg` }),
					json({ ref: 'l', url: `ftp://${USER}:${PASSWORD}${'x'.repeat(400)}@host/y.jpg` }),
				],
				credentials: credentials(),
				continueOnFail: true,
			});
			assert.deepEqual(
				refused.output[0].map((i) => i.json.error),
				[
					"Item 0: Image URL 'gcs://bucket/x.jpg' uses gcs://, which Nucleus does not accept; use gs:// for Google Cloud Storage",
					"Item 1: Image URL 'ftp://host/y.jpg' uses the unsupported scheme 'ftp://'; Nucleus accepts http://, https://, s3:// or gs://",
				],
			);

			const errors = await runNode({
				node: node(),
				parameters: { resource: 'job', operation: 'getErrors', jobId },
				credentials: credentials(),
			});
			assert.match(JSON.stringify(errors.output), /https:\/\/images\.invalid\/b\.jpg/);

			const item = await runNode({
				node: node(),
				parameters: {
					resource: 'datasetItem',
					operation: 'get',
					datasetId: rl(ds),
					referenceId: 'good',
				},
				credentials: credentials(),
			});
			assert.match(JSON.stringify(item.output), /https:\/\/images\.example\.com\/a\.jpg/);

			const polled = await runPoll({
				node: new ScaleNucleusTrigger(),
				parameters: {},
				credentials: credentials(),
				mode: 'manual',
				staticData: {},
			});
			assert.ok(polled && polled[0].length > 0);

			const end = secretScanStats();
			assert.equal(end.runs - start.runs, 6, 'every run was scanned for the URL secrets');
			assert.equal(end.leaks, start.leaks);
			const everything = JSON.stringify([waited, notWaited, refused, errors, item, polled]);
			assert.ok(!everything.includes(PASSWORD) && !everything.includes(USER));
		},
	);
});

test('the credential test follows no redirect: the Basic auth never reaches another host', async () => {
	const seenElsewhere: Array<string | undefined> = [];
	const elsewhere = http.createServer((req, res) => {
		seenElsewhere.push(req.headers.authorization);
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('[]');
	});
	elsewhere.listen(0, '127.0.0.1');
	await once(elsewhere, 'listening');
	const target = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
	const redirector = http.createServer((_req, res) => {
		res.writeHead(302, { location: `${target}/v1/nucleus/dataset/details` });
		res.end();
	});
	redirector.listen(0, '127.0.0.1');
	await once(redirector, 'listening');
	const base = `http://127.0.0.1:${(redirector.address() as { port: number }).port}/v1/nucleus`;
	try {
		const result = await testCredential(credentials(KEY, base));
		assert.deepEqual(result, {
			status: 'Error',
			message:
				'The Base URL answered with a redirect (HTTP 302); set it to the address the API is served from, which the node calls directly',
		});
		assert.deepEqual(seenElsewhere, [], 'nothing was sent to the other host');
	} finally {
		elsewhere.close();
		redirector.close();
	}
});

describe('the scan catches a leak (so it can fail)', () => {
	/** A Scale Nucleus node (same type name, so it is scanned) that misbehaves on purpose. */
	function leakyNode(how: 'output' | 'error' | 'log'): ScaleNucleus {
		return new (class extends ScaleNucleus {
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				const { apiKey } = await this.getCredentials<{ apiKey: string }>('scaleNucleusApi');
				const basic = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
				if (how === 'output') return [[{ json: { debug: `key=${apiKey}` } }]];
				if (how === 'error') {
					throw new NodeOperationError(this.getNode(), 'Request failed', {
						description: `Authorization: ${basic}`,
					});
				}
				this.logger.debug('sending', { headers: { authorization: basic } });
				return [[{ json: {} }]];
			}
		})();
	}

	for (const how of ['output', 'error', 'log'] as const) {
		test(`a key in ${how === 'output' ? 'an output item' : how === 'error' ? 'an error description' : 'a log line'} fails the run`, async () => {
			await assert.rejects(
				runNode({
					node: leakyNode(how),
					parameters: {},
					credentials: credentials('live_PLANTED_k3y_for_scan_test'),
				}),
				(error: Error) => {
					assert.ok(error instanceof SecretLeakError, `got ${error.name}: ${error.message}`);
					assert.ok(
						!error.message.includes('live_PLANTED_k3y_for_scan_test'),
						'the failure does not repeat the secret',
					);
					return true;
				},
			);
		});
	}
});
