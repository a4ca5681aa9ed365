/**
 * Cancelling an execution through NucleusClient on real sockets: an in-flight request ends at once
 * and its socket closes, a backoff wait ends at once, nothing is sent afterwards, many requests share
 * one signal without a listener-leak warning; and fromContext takes the signal, credential and
 * logger from the n8n context.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { NodeOperationError } from 'n8n-workflow';

import { NucleusClient } from '../../nodes/shared/transport';
import { sendJson, startScriptedServer } from '../harness/scriptedServer';
import { API_KEY, captureLogger, makeClient, node, rejection, waitFor } from './transport-common';

describe('cancel: in-flight requests and backoff waits', () => {
	test(
		'cancel aborts an in-flight request: prompt AbortError, socket closed, no further attempts',
		{ timeout: 5000 },
		async () => {
			let socketClosed = false;
			const srv = await startScriptedServer((req) => {
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
		const srv = await startScriptedServer((_req, res) =>
			sendJson(res, 429, {}, { 'retry-after': '30' }),
		);
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

	test('many concurrent requests on one cancel signal raise no listener-leak warning', async () => {
		const srv = await startScriptedServer((_req, res) => {
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
});

describe('fromContext: credential, logger and cancel signal from the n8n context', () => {
	test('fromContext reads the credential, node, logger and cancel signal; rejects a non-http Base URL', async () => {
		const srv = await startScriptedServer((_req, res) => sendJson(res, 200, { ok: true }));
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
});
