/**
 * The set-up the trigger's integration tests share: a fresh emulator per test in which jobs stay
 * Running (progress 0.50) until the test finishes them (`finishJob`), which makes "finishes between
 * two polls" deterministic, and poll() in a real n8n-core PollContext (test/harness runPoll).
 */
import { afterEach, beforeEach } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { startEmulator, type Emulator } from '../emulator';
import { createTestCredentials, runPoll } from '../harness';

/** The emulator of the running test (replaced by beforeEach). */
export let emu: Emulator;

beforeEach(async () => {
	emu = await startEmulator({
		profile: 'fast',
		// Ingest is instant, images never progress on their own: a job sits at 1 of 2 steps until finishJob.
		overrides: { jobQueueDelayMs: 0, jobItemsPerSec: 0.001 },
	});
});

afterEach(async () => {
	await emu.close();
});

export const GOOD = (ref: string) => ({
	reference_id: ref,
	image_url: `https://images.example.com/${ref}.jpg`,
	metadata: {},
});
export const BAD = (ref: string) => ({
	reference_id: ref,
	image_url: `https://bad.invalid/${ref}.jpg`,
	metadata: {},
});

export function datasetParams(datasetId: string, extra: IDataObject = {}): IDataObject {
	return { watch: 'dataset', datasetId: { __rl: true, mode: 'id', value: datasetId }, ...extra };
}

export async function poll(
	parameters: IDataObject,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
): Promise<IDataObject[] | null> {
	const result = await runPoll({
		node: new ScaleNucleusTrigger(),
		parameters: parameters as never,
		credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
		mode,
		staticData,
	});
	if (result === null) return null;
	assert.equal(result.length, 1, 'one output');
	return result[0].map((item) => item.json);
}

/** A job that is Running at 1 of 2 steps (it stays there until finishJob). */
export async function runningJob(
	datasetId: string | null,
	items: unknown[],
	opts: { jobType?: string } = {},
) {
	const rec = emu.createJob(datasetId, items, opts);
	for (let i = 0; i < 2000; i++) {
		const now = emu.getJob(rec.job_id)!;
		if (now.status === 'Running' && now.completed_steps >= 1) return now;
		await new Promise((r) => setTimeout(r, 5));
	}
	throw new Error(`job ${rec.job_id} did not reach Running`);
}

export function snapshot(data: IDataObject): IDataObject {
	return JSON.parse(JSON.stringify(data)) as IDataObject;
}
