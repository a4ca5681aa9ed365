/**
 * Credential problems through the real node (n8n-core ExecuteContext, emulator over a socket): a
 * wrong API key, a Base URL where nothing listens or one that is not http(s) is a clear error that
 * says what to check, without a hang; with Continue On Fail every item is an error item.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '../emulator';
import { createTestCredentials, runNode } from '../harness';
import { ScaleNucleus, appendParams, json, pairedIndex } from './reliability-common';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

describe('credential problems', () => {
	test('a wrong API key (401): the error says to check the API key; with Continue On Fail every item is an error item', async () => {
		const ds = emu.createDataset('wrong-key');
		const credentials = createTestCredentials(emu.baseUrl, 'live_wrong_key_9f8e7d6c5b4a');
		const input = [
			json({ ref: 'a', url: 's3://b/a.jpg' }),
			json({ ref: 'b', url: 's3://b/b.jpg' }),
		];
		for (const waitForCompletion of [true, false]) {
			await assert.rejects(
				runNode({
					node: new ScaleNucleus(),
					parameters: appendParams(ds, { waitForCompletion }),
					input,
					credentials,
				}),
				(error: Error & { httpCode?: string; description?: string }) => {
					assert.equal(error.httpCode, '401');
					assert.match(error.message, /401/);
					assert.match(String(error.description), /Check the API key/);
					return true;
				},
			);
		}
		const { output } = await runNode({
			node: new ScaleNucleus(),
			parameters: appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
			input,
			credentials,
			continueOnFail: true,
		});
		assert.deepEqual(output[0].map(pairedIndex), [0, 1]);
		for (const item of output[0]) assert.match(String(item.json.error), /Nucleus API error 401/);
		assert.equal(emu.itemCount(ds), 0);
	});

	test(
		'a Base URL where nothing listens: a clear error naming the host and the Base URL, no hang',
		{ timeout: 60_000 },
		async () => {
			const probe = createServer();
			await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
			const { port } = probe.address() as { port: number };
			await new Promise((resolve) => probe.close(resolve));
			const baseUrl = `http://127.0.0.1:${port}/v1/nucleus`;
			await assert.rejects(
				runNode({
					node: new ScaleNucleus(),
					parameters: appendParams('ds_anything1', {
						waitForCompletion: true,
						options: { pollInterval: 0.1 },
					}),
					input: [json({ ref: 'a', url: 's3://b/a.jpg' })],
					credentials: createTestCredentials(baseUrl, emu.apiKey),
				}),
				(error: Error & { description?: string }) => {
					assert.match(
						error.message,
						new RegExp(`Could not reach Nucleus at 127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`),
					);
					assert.match(
						String(error.description),
						new RegExp(`Check the Base URL .*${port}/v1/nucleus`),
					);
					assert.match(String(error.description), /Gave up after 5 attempts/);
					return true;
				},
			);
		},
	);

	test('a Base URL that is not http(s): refused before any request', async () => {
		await assert.rejects(
			runNode({
				node: new ScaleNucleus(),
				parameters: { resource: 'dataset', operation: 'getMany', returnAll: true },
				credentials: createTestCredentials('ftp://api.example.com/v1/nucleus', emu.apiKey),
			}),
			/Base URL .* is not an http\(s\) URL/,
		);
	});
});
