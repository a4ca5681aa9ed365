/**
 * The proxy from the environment, as n8n itself uses it: with HTTP_PROXY set the client tunnels
 * through it (EnvHttpProxyAgent) and the API key goes only to the target, never to the proxy; a
 * NO_PROXY host is reached directly.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { NucleusClient } from '../../nodes/shared/transport';
import { sendJson, startConnectProxy, startScriptedServer } from '../harness/scriptedServer';
import { KEY_B64, makeClient } from './transport-common';

describe('proxy from the environment', () => {
	test('proxy from the environment: requests go through HTTP_PROXY, NO_PROXY honoured', async () => {
		const target = await startScriptedServer((_req, res) => sendJson(res, 200, { via: 'target' }));
		const proxy = await startConnectProxy();
		const { tunnels } = proxy;
		const proxyUrl = proxy.url;

		const names = [
			'HTTP_PROXY',
			'HTTPS_PROXY',
			'http_proxy',
			'https_proxy',
			'NO_PROXY',
			'no_proxy',
		];
		const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
		for (const n of names) delete process.env[n];
		const clients: NucleusClient[] = [];
		try {
			const plain = makeClient(`${target.url}/v1/nucleus`);
			clients.push(plain);
			assert.equal(plain.dispatcherKind, 'agent');

			process.env.HTTP_PROXY = proxyUrl;
			const viaProxy = makeClient(`${target.url}/v1/nucleus`);
			clients.push(viaProxy);
			assert.equal(viaProxy.dispatcherKind, 'env-proxy');
			assert.deepEqual(await viaProxy.request('GET', 'dataset/details'), { via: 'target' });
			assert.equal(tunnels.length, 1);
			assert.equal(tunnels[0].url, `127.0.0.1:${target.port}`);
			assert.equal(
				tunnels[0].headers.authorization,
				undefined,
				'the API key is not sent to the proxy',
			);
			assert.equal(target.requests[0].headers.authorization, `Basic ${KEY_B64}`);

			process.env.NO_PROXY = '127.0.0.1';
			const bypass = makeClient(`${target.url}/v1/nucleus`);
			clients.push(bypass);
			assert.deepEqual(await bypass.request('GET', 'dataset/details'), { via: 'target' });
			assert.equal(tunnels.length, 1, 'NO_PROXY host is reached directly');
			assert.equal(target.requests.length, 2);
		} finally {
			for (const n of names) {
				if (saved[n] === undefined) delete process.env[n];
				else process.env[n] = saved[n];
			}
			for (const c of clients) await c.close();
			await proxy.close();
			await target.close();
		}
	});
});
