/**
 * Proves the test harness: a tiny fixture node runs in real n8n-core contexts with real
 * credential handling, expressions, binary data in filesystem mode, file-access rules,
 * cancellation and static data; and the ScaleNucleusApi credential test runs as n8n runs it.
 *
 * Over ~350 lines because it proves each entry point of test/harness (runNode, binary data, file
 * access, runPoll, testCredential) against one Basic-auth server and one scratch folder.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IDataObject } from 'n8n-workflow';

import {
	binaryDataDir,
	capturedLogs,
	createTestCredentials,
	initHarness,
	makeBinaryItem,
	runNode,
	runPoll,
	testCredential,
} from '../harness';
import { HarnessTestNode } from '../harness/fixtures/HarnessTestNode.node';
import { startEmulator, type Emulator } from '../emulator';

const API_KEY = 'live_harness_key_5f1d0c';

/** Answers every request with whether it carried Basic auth for API_KEY (never echoing it). */
interface AuthServer {
	server: Server;
	baseUrl: string;
	paths: string[];
	hold: Set<IncomingMessage>;
	close(): Promise<void>;
}

async function startAuthServer(): Promise<AuthServer> {
	const paths: string[] = [];
	const hold = new Set<IncomingMessage>();
	const expected = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;
	const server = createServer((req, res) => {
		paths.push(req.url ?? '');
		if (req.url?.includes('/hang')) {
			hold.add(req);
			req.on('close', () => hold.delete(req));
			return;
		}
		const authorized = req.headers.authorization === expected;
		res.statusCode = authorized ? 200 : 401;
		res.setHeader('content-type', 'application/json');
		// The credential test reads the dataset list, as Nucleus answers it (a JSON array).
		const answer = req.url?.endsWith('/dataset/details')
			? []
			: { authorized, basic: req.headers.authorization?.startsWith('Basic ') ?? false };
		res.end(JSON.stringify(authorized ? answer : { error: 'Unauthorized' }));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		server,
		baseUrl: `http://127.0.0.1:${port}/v1/nucleus`,
		paths,
		hold,
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('test harness (real n8n-core contexts)', () => {
	let api: AuthServer;
	let scratch: string;

	before(async () => {
		api = await startAuthServer();
		scratch = mkdtempSync(join(tmpdir(), 'harness-test-'));
		await initHarness();
	});

	after(async () => {
		await api.close();
		rmSync(scratch, { recursive: true, force: true });
	});

	describe('runNode', () => {
		test('resolves expressions per item and authenticates with the Basic credential', async () => {
			const { output } = await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'callUrl', url: '={{ $json.url }}', label: '={{ $json.name }}' },
				input: [
					{ json: { url: `${api.baseUrl}/first`, name: 'one' } },
					{ json: { url: `${api.baseUrl}/second`, name: 'two' } },
				],
				credentials: createTestCredentials(api.baseUrl, API_KEY),
			});
			assert.equal(output.length, 1);
			assert.deepEqual(
				output[0].map((item) => item.json),
				[
					{
						label: 'one',
						url: `${api.baseUrl}/first`,
						response: { authorized: true, basic: true },
					},
					{
						label: 'two',
						url: `${api.baseUrl}/second`,
						response: { authorized: true, basic: true },
					},
				],
			);
			assert.deepEqual(
				output[0].map((item) => item.pairedItem),
				[{ item: 0 }, { item: 1 }],
			);
		});

		test('throws the node error when the key is wrong and continueOnFail is off', async () => {
			await assert.rejects(
				runNode({
					node: new HarnessTestNode(),
					parameters: { operation: 'callUrl', url: `${api.baseUrl}/x` },
					credentials: createTestCredentials(api.baseUrl, 'wrong-key'),
				}),
				(error: Error & { httpCode?: string }) => {
					assert.equal(error.name, 'NodeApiError');
					assert.equal(error.httpCode, '401');
					return true;
				},
			);
		});

		test('continueOnFail keeps an error item on the regular output', async () => {
			const { output } = await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'callUrl', url: `${api.baseUrl}/x` },
				credentials: createTestCredentials(api.baseUrl, 'wrong-key'),
				continueOnFail: true,
			});
			assert.equal(output.length, 1);
			assert.equal(output[0].length, 1);
			assert.equal(typeof output[0][0].json.error, 'string');
			assert.deepEqual(output[0][0].pairedItem, { item: 0 });
		});

		test("onError 'continueErrorOutput' routes error items to the error output like n8n's engine", async () => {
			const { output } = await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'callUrl', url: '={{ $json.url }}' },
				input: [{ json: { url: `${api.baseUrl}/ok` } }, { json: { url: `${api.baseUrl}/ok2` } }],
				credentials: createTestCredentials(api.baseUrl, API_KEY),
				onError: 'continueErrorOutput',
			});
			assert.equal(output.length, 2, 'success output + error output');
			assert.equal(output[0].length, 2);
			assert.equal(output[1].length, 0);

			const failed = await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'callUrl', url: `${api.baseUrl}/x` },
				credentials: createTestCredentials(api.baseUrl, 'wrong-key'),
				onError: 'continueErrorOutput',
			});
			assert.equal(failed.output[0].length, 0);
			assert.equal(failed.output[1].length, 1);
			assert.equal(typeof failed.output[1][0].json.error, 'string');
		});

		test('fails when the node has no credential set, as n8n does', async () => {
			await assert.rejects(
				runNode({
					node: new HarnessTestNode(),
					parameters: { operation: 'callUrl', url: `${api.baseUrl}/x` },
				}),
				/credentials/i,
			);
		});

		test(
			'the execution cancel signal is the abortSignal passed in',
			{ timeout: 10_000 },
			async () => {
				const controller = new AbortController();
				const run = runNode({
					node: new HarnessTestNode(),
					parameters: { operation: 'waitForCancel' },
					credentials: createTestCredentials(api.baseUrl, API_KEY),
					abortSignal: controller.signal,
				});
				setTimeout(() => controller.abort(), 20);
				await assert.rejects(run, /Execution was cancelled/);
			},
		);

		test(
			'an in-flight authenticated request is aborted by the cancel signal',
			{ timeout: 10_000 },
			async () => {
				const controller = new AbortController();
				const run = runNode({
					node: new HarnessTestNode(),
					parameters: { operation: 'callUrl', url: `${api.baseUrl}/hang` },
					credentials: createTestCredentials(api.baseUrl, API_KEY),
					abortSignal: controller.signal,
				});
				while (api.hold.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));
				controller.abort();
				await assert.rejects(run);
			},
		);

		test('this.logger writes into capturedLogs', async () => {
			const before = capturedLogs.length;
			await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'callUrl', url: `${api.baseUrl}/log` },
				input: [{ json: {} }, { json: {} }, { json: {} }],
				credentials: createTestCredentials(api.baseUrl, API_KEY),
			});
			const lines = capturedLogs.slice(before);
			assert.ok(
				lines.some((line) => line === 'info Harness test node started {"items":3}'),
				lines.join('\n'),
			);
		});
	});

	describe('binary data in filesystem mode', () => {
		test('makeBinaryItem stores the content on disk; .data is a mode marker, not the content', async () => {
			const content = Buffer.from('not really a jpeg, but bytes all the same');
			const item = await makeBinaryItem(content, 'cat.jpg', 'image/jpeg', { ref: 'cat-1' });
			const binary = item.binary?.data;
			assert.ok(binary);
			assert.match(binary.id ?? '', /^filesystem-v2:/);
			assert.notEqual(binary.data, content.toString('base64'));
			assert.equal(binary.data, 'filesystem-v2');
			assert.equal(binary.bytes, content.length);
			assert.equal(binary.fileName, 'cat.jpg');
			assert.equal(binary.mimeType, 'image/jpeg');
			assert.deepEqual(item.json, { ref: 'cat-1' });
			const fileId = (binary.id as string).slice('filesystem-v2:'.length);
			assert.deepEqual(readFileSync(join(binaryDataDir(), fileId)), content);
		});

		test('the node reads the binary with assertBinaryData, getBinaryStream, getBinaryMetadata and getBinaryDataBuffer', async () => {
			const big = Buffer.alloc(3 * 1024 * 1024 + 17);
			for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
			const fromStream = await makeBinaryItem(
				Readable.from([big.subarray(0, 1000), big.subarray(1000)]),
				'big.bin',
				'application/octet-stream',
			);
			const small = await makeBinaryItem(Buffer.from('tiny'), 'tiny.txt', 'text/plain', {}, 'file');

			const { output } = await runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'digestBinary', binaryPropertyName: '={{ $json.prop }}' },
				input: [
					{ ...fromStream, json: { prop: 'data' } },
					{ ...small, json: { prop: 'file' } },
				],
				credentials: createTestCredentials(api.baseUrl, API_KEY),
			});
			const [first, second] = output[0].map((item) => item.json);
			assert.equal(first.bytes, big.length);
			assert.equal(first.bufferBytes, big.length);
			assert.equal(first.sha256, sha256(big));
			assert.equal(first.dataField, 'filesystem-v2');
			assert.deepEqual(first.metadata, {
				fileName: 'big.bin',
				mimeType: 'application/octet-stream',
				fileSize: big.length,
			});
			assert.equal(second.bytes, 4);
			assert.equal(second.sha256, sha256(Buffer.from('tiny')));
		});

		test("a missing binary property fails with n8n's assertBinaryData message", async () => {
			await assert.rejects(
				runNode({
					node: new HarnessTestNode(),
					parameters: { operation: 'digestBinary', binaryPropertyName: 'nope' },
					input: [await makeBinaryItem(Buffer.from('x'), 'x.txt', 'text/plain')],
					credentials: createTestCredentials(api.baseUrl, API_KEY),
				}),
				/The item has no binary field 'nope'/,
			);
		});
	});

	describe('file access (N8N_RESTRICT_FILE_ACCESS_TO)', () => {
		const readFile = (filePath: string, env?: Record<string, string>) =>
			runNode({
				node: new HarnessTestNode(),
				parameters: { operation: 'readFile', filePath },
				credentials: createTestCredentials(api.baseUrl, API_KEY),
				env,
			});

		test('createReadStream allows a file inside the allowed folder and stores it as binary', async () => {
			const allowed = join(scratch, 'allowed');
			mkdirSync(allowed, { recursive: true });
			const file = join(allowed, 'photo.png');
			writeFileSync(file, Buffer.from('png-ish bytes'));

			const { output } = await readFile(file, { N8N_RESTRICT_FILE_ACCESS_TO: allowed });
			assert.equal(output[0][0].json.bytes, 13);
			assert.equal(output[0][0].json.fileName, 'photo.png');
			assert.match(output[0][0].binary?.data.id ?? '', /^filesystem-v2:/);
		});

		test('createReadStream refuses a file outside the allowed folder', async () => {
			const allowed = join(scratch, 'allowed2');
			const outside = join(scratch, 'outside');
			mkdirSync(allowed, { recursive: true });
			mkdirSync(outside, { recursive: true });
			const file = join(outside, 'secret.txt');
			writeFileSync(file, 'nope');

			await assert.rejects(
				readFile(file, { N8N_RESTRICT_FILE_ACCESS_TO: allowed }),
				/Access to the file is not allowed/,
			);
		});

		test('the env applies to that run only (n8n 2.x default ~/.n8n-files applies again afterwards)', async () => {
			const allowed = join(scratch, 'allowed3');
			mkdirSync(allowed, { recursive: true });
			const file = join(allowed, 'a.txt');
			writeFileSync(file, 'abc');

			await readFile(file, { N8N_RESTRICT_FILE_ACCESS_TO: allowed });
			if (process.env.N8N_RESTRICT_FILE_ACCESS_TO === undefined) {
				await assert.rejects(readFile(file), /Access to the file is not allowed/);
			}
		});

		test("n8n's own folder stays blocked unless N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES=false", async () => {
			const { n8nFolder } = await initHarness();
			const ownFile = join(n8nFolder, 'config');
			const root = join(n8nFolder, '..');
			await assert.rejects(
				readFile(ownFile, { N8N_RESTRICT_FILE_ACCESS_TO: root }),
				/Access to the file is not allowed/,
			);
			const { output } = await readFile(ownFile, {
				N8N_RESTRICT_FILE_ACCESS_TO: root,
				N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES: 'false',
			});
			assert.ok((output[0][0].json.bytes as number) > 0);
		});
	});

	describe('runPoll', () => {
		test('trigger mode: static data is the object passed in and mutations persist across polls', async () => {
			const staticData: IDataObject = {};
			const options = {
				node: new HarnessTestNode(),
				parameters: { label: 'scheduled' },
				credentials: createTestCredentials(api.baseUrl, API_KEY),
				mode: 'trigger' as const,
				staticData,
			};
			const first = await runPoll(options);
			const second = await runPoll(options);
			assert.deepEqual(first?.[0][0].json, {
				counter: 1,
				label: 'scheduled',
				mode: 'trigger',
				activation: 'activate',
				baseUrl: api.baseUrl,
			});
			assert.equal(second?.[0][0].json.counter, 2);
			assert.deepEqual({ ...staticData }, { counter: 2 });
		});

		test("manual mode runs poll() as the editor's test fetch does", async () => {
			const staticData: IDataObject = { counter: 41 };
			const result = await runPoll({
				node: new HarnessTestNode(),
				parameters: {},
				credentials: createTestCredentials(api.baseUrl, API_KEY),
				mode: 'manual',
				staticData,
			});
			assert.equal(result?.[0][0].json.mode, 'manual');
			assert.equal(result?.[0][0].json.counter, 42);
			assert.equal(result?.[0][0].json.label, 'fixture', 'parameter default filled in by n8n');
			assert.equal(staticData.counter, 42);
		});

		test('returns null when poll() has nothing new, keeping the static data change', async () => {
			const staticData: IDataObject = {};
			const result = await runPoll({
				node: new HarnessTestNode(),
				parameters: { label: 'nothing' },
				credentials: createTestCredentials(api.baseUrl, API_KEY),
				staticData,
			});
			assert.equal(result, null);
			assert.equal(staticData.counter, 1);
		});
	});

	describe('ScaleNucleusApi credential test (as n8n runs it)', () => {
		test('passes with the right key and calls GET dataset/details under the base URL', async () => {
			const before = api.paths.length;
			const result = await testCredential(createTestCredentials(`${api.baseUrl}/`, API_KEY));
			assert.deepEqual(result, { status: 'OK', message: 'Connection successful!' });
			assert.deepEqual(api.paths.slice(before), ['/v1/nucleus/dataset/details']);
		});

		test('fails with a wrong key', async () => {
			const result = await testCredential(createTestCredentials(api.baseUrl, 'not-the-key'));
			assert.equal(result.status, 'Error');
			assert.ok(!result.message.includes('not-the-key'));
		});

		describe('against the Nucleus emulator', () => {
			let emulator: Emulator;

			before(async () => {
				emulator = await startEmulator({});
			});

			after(async () => {
				await emulator.close();
			});

			test('passes with the emulator key', async () => {
				const result = await testCredential(
					createTestCredentials(emulator.baseUrl, emulator.apiKey),
				);
				assert.deepEqual(result, { status: 'OK', message: 'Connection successful!' });
			});

			test('fails with a wrong or empty key', async () => {
				for (const apiKey of [`${emulator.apiKey}x`, '']) {
					const result = await testCredential(createTestCredentials(emulator.baseUrl, apiKey));
					assert.equal(result.status, 'Error', `key of length ${apiKey.length}`);
				}
			});
		});

		test('fails when the server is unreachable', async () => {
			const result = await testCredential(
				createTestCredentials('http://127.0.0.1:9/v1/nucleus', API_KEY),
			);
			assert.equal(result.status, 'Error');
			assert.match(result.message, /ECONNREFUSED/);
		});
	});
});
