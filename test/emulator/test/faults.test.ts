/**
 * Injected faults (faults.ts) and the realistic profile's in-flight limit (rules.ts PROFILES).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type FormData from 'form-data';
import { startEmulator, type Emulator } from '..';
import { call, sha, batchForm, postForm, assertAsyncJob } from './client';

describe('emulator: faults', () => {
	let emu: Emulator;
	let ds: string;
	// One local item in the current form (the SDK's `upload_local_async`).
	const item = (ref: string): FormData =>
		batchForm(
			[{ reference_id: ref, image_url: `${ref}.png`, metadata: {}, update: false }],
			[{ data: Buffer.from('png'), filename: `${ref}.png` }],
		);
	before(async () => {
		emu = await startEmulator();
		ds = emu.createDataset('faults');
	});
	after(() => emu.close());

	test('429 with Retry-After, and the append is not applied', async () => {
		emu.resetStats();
		emu.setFaults({ rate429: 1, retryAfterS: 3 });
		const r = await postForm(emu, ds, item('f429'));
		emu.resetFaults();
		assert.equal(r.status, 429);
		assert.equal(r.headers.get('retry-after'), '3');
		assert.equal(r.json.status_code, 429);
		assert.equal(emu.getItem(ds, 'f429'), undefined);
		assert.equal(emu.stats().faultsInjected.r429, 1);
		assert.equal(emu.stats().appendRequests, 1);
		assert.equal(
			emu.stats().appendRequestsByForm.multipartBatch,
			0,
			'the faulted body was never read',
		);
		assert.equal(emu.stats().jobsCreated, 0);
		const ok = await postForm(emu, ds, item('f429'));
		assert.equal((await emu.finishJob(assertAsyncJob(ok, ds)))?.status, 'Completed');
		assert.equal(emu.getItem(ds, 'f429')?.image?.sha256, sha(Buffer.from('png')));
	});

	test('5xx alternate 503 and 504; nothing applied', async () => {
		emu.resetStats();
		emu.setFaults({ rate5xx: 1 });
		const s1 = await postForm(emu, ds, item('f5xx'));
		const s2 = await call(emu, 'GET', 'dataset/details');
		emu.resetFaults();
		assert.deepEqual([s1.status, s2.status].sort(), [503, 504]);
		assert.equal(emu.getItem(ds, 'f5xx'), undefined);
		assert.equal(emu.stats().faultsInjected.r5xx, 2);
	});

	test('dropped connection: the request fails without a response and nothing is applied', async () => {
		emu.resetStats();
		emu.setFaults({ rateDrop: 1 });
		await assert.rejects(postForm(emu, ds, item('fdrop')));
		emu.resetFaults();
		assert.equal(emu.getItem(ds, 'fdrop'), undefined);
		assert.equal(emu.stats().faultsInjected.dropped, 1);
	});

	test('slow: the response comes after slowMs and succeeds', async () => {
		emu.resetStats();
		emu.setFaults({ rateSlow: 1, slowMs: 150 });
		const t0 = Date.now();
		const r = await call(emu, 'GET', 'dataset/details');
		const elapsed = Date.now() - t0;
		emu.resetFaults();
		assert.equal(r.status, 200);
		assert.ok(elapsed >= 140, `elapsed ${elapsed}`);
		assert.equal(emu.stats().faultsInjected.slow, 1);
	});

	test('routes limits faults; control and storage are untouched by default; same seed gives the same sequence', async () => {
		emu.setFaults({ rate429: 1, routes: /\/append$/ });
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		assert.equal((await postForm(emu, ds, item('froute'))).status, 429);
		emu.setFaults({ routes: undefined });
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 429);
		assert.equal((await call(emu, 'GET', '/__control/stats')).status, 200);
		emu.resetFaults();

		const run = async (): Promise<number[]> => {
			emu.setFaults({ rate429: 0.3, rate5xx: 0.3, seed: 42 });
			const out: number[] = [];
			for (let i = 0; i < 12; i++) out.push((await call(emu, 'GET', 'dataset/details')).status);
			emu.resetFaults();
			return out;
		};
		const a = await run();
		assert.deepEqual(await run(), a);
		assert.ok(a.includes(200) && a.some((s) => s !== 200), a.join(','));
	});

	test('control API sets and clears faults (routes as a string)', async () => {
		const set = await call(emu, 'POST', '/__control/faults', {
			rate429: 1,
			retryAfterS: 2,
			routes: 'details',
		});
		assert.equal(set.status, 200);
		assert.equal(set.json.routes, 'details');
		const r = await call(emu, 'GET', 'dataset/details');
		assert.equal(r.status, 429);
		assert.equal(r.headers.get('retry-after'), '2');
		assert.equal((await call(emu, 'DELETE', '/__control/faults')).status, 200);
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		assert.equal((await call(emu, 'POST', '/__control/faults', { rate429: 2 })).status, 400);
	});

	test('outage: connections are refused, then the API comes back on the same port', async () => {
		const r = await call(emu, 'POST', '/__control/outage', { ms: 300 });
		assert.equal(r.status, 200);
		await new Promise((res) => setTimeout(res, 30));
		const err = await call(emu, 'GET', 'dataset/details').then(
			() => undefined,
			(e: Error & { cause?: { code?: string } }) => e,
		);
		assert.ok(err, 'request during the outage fails');
		assert.equal(err.cause?.code, 'ECONNREFUSED');
		let back = 0;
		for (let i = 0; i < 100 && back !== 200; i++) {
			await new Promise((res) => setTimeout(res, 50));
			back = await call(emu, 'GET', 'dataset/details').then(
				(x) => x.status,
				() => 0,
			);
		}
		assert.equal(back, 200);
		// reset mode, in process
		const done = emu.outage(200, 'reset');
		await assert.rejects(call(emu, 'GET', 'dataset/details'));
		await done;
		assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
	});
});

describe('emulator: realistic profile', () => {
	test('the 33rd concurrent request per key gets 429 with Retry-After: 1', async () => {
		const emu = await startEmulator({ profile: 'realistic', overrides: { latencyMs: 400 } });
		try {
			assert.equal(emu.settings.maxInFlightPerKey, 32);
			const results = await Promise.all(
				Array.from({ length: 40 }, () => call(emu, 'GET', 'dataset/details')),
			);
			const limited = results.filter((r) => r.status === 429);
			assert.equal(limited.length, 8);
			for (const r of limited) assert.equal(r.headers.get('retry-after'), '1');
			assert.equal(results.filter((r) => r.status === 200).length, 32);
			const s = emu.stats();
			assert.equal(s.inFlightPeak, 32);
			assert.equal(s.limited429, 8);
			assert.equal((await call(emu, 'GET', 'dataset/details')).status, 200);
		} finally {
			await emu.close();
		}
	});
});
