/**
 * The emulator's command line (cli.ts): its JSON line, its flags and its exit codes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNC_UPLOAD_REMOVED_MESSAGE } from '..';
import { runEmulatorCli, startEmulatorCli } from '../../harness/emulator-cli';
import { basic } from './client';

describe('emulator: CLI', () => {
	test('prints base URL, key and datasets as one JSON line, serves, and exits on SIGTERM', async () => {
		const cli = await startEmulatorCli([
			'--port',
			'0',
			'--dataset',
			'd1',
			'--api-key',
			'cli_key_123',
		]);
		try {
			const info = cli.info;
			assert.match(info.baseUrl, /^http:\/\/127\.0\.0\.1:\d+\/v1\/nucleus$/);
			assert.equal(info.apiKey, 'cli_key_123');
			assert.match(info.datasets.d1, /^ds_/);
			const r = await fetch(`${info.baseUrl}/dataset/details`, {
				headers: { authorization: basic('cli_key_123') },
			});
			assert.deepEqual(await r.json(), [{ id: info.datasets.d1, name: 'd1', is_public: false }]);
		} finally {
			cli.child.kill('SIGTERM');
		}
		assert.equal(await cli.exited, 0);
	});

	test('--sync-append and --partial-status set the config; a bad value exits 2', async () => {
		const cli = await startEmulatorCli([
			'--port',
			'0',
			'--dataset',
			'd1',
			'--sync-append',
			'removed',
			'--partial-status=Errored',
		]);
		try {
			const info = cli.info;
			assert.equal(info.syncAppend, 'removed');
			assert.equal(info.partialFailureStatus, 'Errored');
			const r = await fetch(`${info.baseUrl}/dataset/${info.datasets.d1}/append`, {
				method: 'POST',
				headers: { authorization: basic(info.apiKey), 'content-type': 'application/json' },
				body: JSON.stringify({
					items: [{ reference_id: 'a', image_url: 'https://a.example.com/1.jpg' }],
					update: false,
				}),
			});
			assert.equal(r.status, 400);
			assert.deepEqual(await r.json(), { error: SYNC_UPLOAD_REMOVED_MESSAGE, status_code: 400 });
		} finally {
			cli.child.kill('SIGTERM');
		}
		assert.equal(await cli.exited, 0);
		const bad = await runEmulatorCli(['--port', '0', '--sync-append', 'maybe']);
		assert.equal(bad.code, 2);
		assert.match(bad.stderr, /--sync-append must be one of job, removed, legacy/);
	});
});
