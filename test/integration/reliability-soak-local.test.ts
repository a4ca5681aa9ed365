/**
 * Fault soak, local uploads: 5,000 small images from n8n binary data (filesystem mode) appended
 * while the emulator injects 429s, 503/504s, dropped connections and slow responses at once.
 * Every image ends in the dataset exactly once with its exact bytes, and every input item gets
 * exactly one output item paired to it. Items whose requests ran out of attempts come back as
 * error items (never silently dropped) and are stored by a re-run of just those inputs.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import type { INodeExecutionData } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { makeBinaryItem } from '../harness';
import {
	appendParams,
	assertDatasetHoldsExactly,
	faultText,
	roundsText,
	sha256,
	soakAppend,
	tinyPng,
} from './reliability-common';

const N = 5000;

let emu: Emulator;
before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

test(
	`${N} local images under 429/5xx/dropped/slow faults: each stored once, intact, every input answered`,
	{ timeout: 240_000 },
	async () => {
		const ds = emu.createDataset('soak-local');
		const refs = Array.from({ length: N }, (_, i) => `local-${i}`);
		const images = refs.map((_, i) => tinyPng(i));
		const input: INodeExecutionData[] = new Array(N);
		for (let i = 0; i < N; i += 100) {
			await Promise.all(
				images.slice(i, i + 100).map(async (image, k) => {
					input[i + k] = await makeBinaryItem(image, `img-${i + k}.png`, 'image/png', {
						ref: refs[i + k],
						n: i + k,
					});
				}),
			);
		}

		const { report, stats, seconds } = await soakAppend(emu, {
			refs,
			input,
			parameters: appendParams(ds, {
				mode: 'local',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				metadataMode: 'allFields',
				excludeFields: 'ref',
				options: { concurrency: 64 },
			}),
			checkOutput: (output) =>
				assert.equal(output.length, 1, 'one output (regular output with Continue On Fail)'),
			accept: (item) => {
				// An attempt that failed never stored anything; a job's items are reported 'appended' (no per-item category).
				assert.equal(item.json.outcome, 'appended');
				assert.equal(item.json.succeeded, true);
			},
		});

		assertDatasetHoldsExactly(emu, ds, refs);
		for (let i = 0; i < N; i++) {
			const stored = emu.getItem(ds, refs[i]);
			assert.equal(stored?.image?.sha256, sha256(images[i]), `image ${i} arrived byte for byte`);
			assert.equal(stored?.image?.contentType, 'image/png');
			assert.equal(stored?.metadata.n, i);
		}
		// Each run sends its images 10 to a request (Images per Request's default).
		const sent = report.rounds.reduce((sum, r) => sum + Math.ceil(r.sent / 10), 0);
		const retries = stats.appendRequests - sent;
		assert.ok(
			stats.faultsInjected.r429 > 0 &&
				stats.faultsInjected.r5xx > 0 &&
				stats.faultsInjected.dropped > 0,
		);
		assert.ok(retries > 0);
		console.log(
			`soak: ${N} local items, ${faultText(stats)}, ${stats.appendRequests} append requests (${retries} retries), ` +
				`${roundsText(report)}, 0 lost, 0 duplicated, ${seconds.toFixed(1)} s`,
		);
	},
);
