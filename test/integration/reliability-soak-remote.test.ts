/**
 * Fault soak, remote URLs: 20,000 items appended with the opt-in pre-2026 synchronous protocol (JSON
 * batches, against an emulator that still answers it with counts) and 20,000 on the current protocol (presigned NDJSON upload + AsyncJob, waiting for completion) while the emulator
 * injects 429s, 503/504s, dropped connections and slow responses at once — on the API and, for the
 * asynchronous run, on the presigned storage upload too. Every item ends in the dataset exactly
 * once with its metadata; every input item gets exactly one output item paired to it.
 *
 * Then: when every attempt fails (100% 503 on one dataset's append route), the items bound for it
 * become error items with their pairedItem, and the items of the healthy dataset are all stored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '../emulator';
import {
	SOAK_FAULTS,
	TRANSPORT_MAX_ATTEMPTS,
	appendParams,
	assertDatasetHoldsExactly,
	faultText,
	json,
	pairedIndex,
	roundsText,
	runScale,
	soakAppend,
} from './reliability-common';

const N = 20_000;

let emu: Emulator;
before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

function remoteInput(prefix: string) {
	const refs = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
	const input = refs.map((ref, i) =>
		json({ ref, url: `s3://soak-bucket/${prefix}/${i}.jpg`, n: i, shard: `s${i % 13}` }),
	);
	return { refs, input };
}

describe('fault soak, remote URLs', () => {
	test(
		`${N} items, legacy synchronous batches: each stored once, every input answered`,
		{ timeout: 180_000 },
		async () => {
			const ds = emu.createDataset('soak-sync');
			emu.setSyncAppend('legacy');
			const { refs, input } = remoteInput('sync');
			const { report, stats, seconds } = await soakAppend(emu, {
				refs,
				input,
				parameters: appendParams(ds, {
					metadataMode: 'allFields',
					excludeFields: 'ref, url',
					options: { protocol: 'legacySync', batchSize: 20, concurrency: 16 },
				}),
				accept: (item) => {
					assert.equal(item.json.outcome, 'new');
					assert.equal(item.json.succeeded, true);
				},
			});
			emu.setSyncAppend('job');

			assertDatasetHoldsExactly(emu, ds, refs);
			for (let i = 0; i < N; i += 1) assert.equal(emu.getItem(ds, refs[i])?.metadata.n, i);
			const batches = report.rounds.reduce((sum, r) => sum + Math.ceil(r.sent / 20), 0);
			const retries = stats.appendRequests - batches;
			assert.ok(retries > 0 && stats.faultsInjected.dropped > 0);
			console.log(
				`soak: ${N} remote items (sync, batches of 20), ${faultText(stats)}, ${stats.appendRequests} append requests ` +
					`for ${batches} batches (${retries} retries), ${roundsText(report)}, 0 lost, 0 duplicated, ${seconds.toFixed(1)} s`,
			);
		},
	);

	test(
		`${N} items, asynchronous job with waiting, storage upload faulted too: each stored once`,
		{ timeout: 120_000 },
		async () => {
			const ds = emu.createDataset('soak-async');
			const { refs, input } = remoteInput('async');
			const { report, stats, seconds } = await soakAppend(emu, {
				refs,
				input,
				// The API and the presigned "S3" PUT both see the fault mix.
				faults: { ...SOAK_FAULTS, routes: /^\/(v1\/nucleus|__storage)\// },
				parameters: appendParams(ds, {
					metadataMode: 'allFields',
					excludeFields: 'ref, url',
					waitForCompletion: true,
					options: { pollInterval: 0.1, timeout: 120 },
				}),
				accept: (item) => {
					assert.equal(item.json.succeeded, true);
					assert.equal(item.json.outcome, 'appended');
					assert.match(String(item.json.job_id), /^job_/);
				},
			});

			assertDatasetHoldsExactly(emu, ds, refs);
			for (let i = 0; i < N; i += 1)
				assert.equal(emu.getItem(ds, refs[i])?.metadata.shard, `s${i % 13}`);
			// Retried job submissions never start a second job: one job per run of the node.
			assert.equal(stats.jobsCreated, report.rounds.length);
			console.log(
				`soak: ${N} remote items (async job, waited), ${faultText(stats)}, ${stats.requests} API requests and ` +
					`${stats.storageRequests} storage PUTs for ${report.rounds.length} job(s), ${roundsText(report)}, 0 lost, 0 duplicated, ${seconds.toFixed(1)} s`,
			);
		},
	);
});

describe('when attempts run out', () => {
	test(
		'items bound for a dataset whose append always answers 503 become error items; the rest are stored',
		{ timeout: 60_000 },
		async () => {
			const healthy = emu.createDataset('exhaust-ok');
			const dead = emu.createDataset('exhaust-503');
			const input = Array.from({ length: 200 }, (_, i) =>
				json({ ref: `x-${i}`, ds: i % 10 === 3 ? dead : healthy }),
			);
			const images = await Promise.all(
				input.map(async (item, i) => {
					const { makeBinaryItem } = await import('../harness');
					return await makeBinaryItem(
						Buffer.from(`image ${i}`),
						`x-${i}.jpg`,
						'image/jpeg',
						item.json,
					);
				}),
			);
			emu.resetStats();
			emu.setFaults({ rate5xx: 1, routes: new RegExp(`/dataset/${dead}/append$`) });
			const { output } = await runScale(
				emu,
				{
					...appendParams(healthy, {
						mode: 'local',
						imageSource: 'binary',
						options: { concurrency: 32 },
					}),
					datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
				},
				images,
				{ onError: 'continueErrorOutput' },
			);
			const stats = emu.stats();
			emu.resetFaults();
			const [ok, errors] = output;
			const deadIdx = input.flatMap((item, i) => (item.json.ds === dead ? [i] : []));
			assert.deepEqual(
				errors.map(pairedIndex),
				deadIdx,
				'every item bound for the failing dataset is an error item, paired',
			);
			for (const e of errors) {
				assert.match(
					String(e.json.error),
					/Nucleus API error 50[34] \(POST dataset\/ds_\w+\/append\)/,
				);
			}
			assert.equal(ok.length, 180);
			assert.ok(ok.every((item) => item.json.outcome === 'appended'));
			assert.deepEqual(
				ok.map(pairedIndex),
				input.flatMap((item, i) => (item.json.ds === healthy ? [i] : [])),
			);
			assert.equal(emu.itemCount(healthy), 180);
			assert.equal(emu.itemCount(dead), 0);
			assert.equal(
				stats.faultsInjected.r5xx,
				Math.ceil(deadIdx.length / 10) * TRANSPORT_MAX_ATTEMPTS,
				'each failing request (10 images) was tried exactly 5 times',
			);
			console.log(
				`exhaustion: ${deadIdx.length} of ${input.length} items hit 100% 503 (${stats.faultsInjected.r5xx} attempts, ${TRANSPORT_MAX_ATTEMPTS} each) -> ${errors.length} error items, ${ok.length} stored, 0 lost`,
			);
		},
	);
});
