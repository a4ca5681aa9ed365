/**
 * Shared pieces of the reliability tests (test/integration/reliability-*.test.ts): the node helpers of
 * scale-nucleus.ts, the soak fault mix, and the "nothing lost" bookkeeping.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { Emulator, EmulatorStats, Faults } from '../emulator';
import { runScale } from './scale-nucleus';

export { ScaleNucleus, appendParams, json, rl, runScale } from './scale-nucleus';

/**
 * The soak's fault mix, all at once: 20% 429 (Retry-After: 0, so the transport retries at once
 * as the server asks — the emulator accepts any non-negative number of seconds, fractions too),
 * 10% 503/504, 5% dropped connections, and 5% of requests delayed by 200 ms.
 */
export const SOAK_FAULTS: Partial<Faults> = {
	rate429: 0.2,
	retryAfterS: 0,
	rate5xx: 0.1,
	rateDrop: 0.05,
	rateSlow: 0.05,
	slowMs: 200,
	seed: 20_261_127,
};

/** Attempts per request in the transport by default (nodes/shared/transport/retryPolicy.ts DEFAULT_MAX_ATTEMPTS). */
export const TRANSPORT_MAX_ATTEMPTS = 5;

export function pairedIndex(item: INodeExecutionData): number {
	const p = item.pairedItem;
	assert.ok(
		p && !Array.isArray(p) && typeof p === 'object',
		`pairedItem is one { item } (${JSON.stringify(p)})`,
	);
	return (p as { item: number }).item;
}

/** An error message a request gets when the transport gave up on injected faults. */
export const FAULT_ERROR =
	/Nucleus API error (429|503|504)|Could not reach (Nucleus at|the upload host) .*(ECONNRESET|UND_ERR_SOCKET|other side closed|closed unexpectedly)|Upload to \S+ failed with HTTP (429|503|504)/;

export interface RoundResult {
	/** Input positions (in this round's input) whose output was a success result. */
	succeeded: number[];
	/** Input positions whose output was an error item. */
	failed: number[];
}

/**
 * Checks that a per-item output (Continue On Fail, regular output) has exactly one item per input,
 * in order, paired to it: a result for the input's reference_id, or an error item caused by the
 * injected faults. Returns which inputs succeeded and which failed.
 */
export function checkPerItemOutput(
	output: INodeExecutionData[],
	refs: string[],
	accept: (item: INodeExecutionData) => void,
): RoundResult {
	assert.equal(output.length, refs.length, 'one output item per input item');
	const succeeded: number[] = [];
	const failed: number[] = [];
	output.forEach((item, position) => {
		assert.equal(pairedIndex(item), position, `output ${position} is paired to input ${position}`);
		if (item.json.error !== undefined) {
			assert.match(
				String(item.json.error),
				FAULT_ERROR,
				`input ${position} failed only because of injected faults`,
			);
			failed.push(position);
			return;
		}
		assert.equal(
			item.json.reference_id,
			refs[position],
			`output ${position} reports its own reference_id`,
		);
		accept(item);
		succeeded.push(position);
	});
	return { succeeded, failed };
}

/** Every reference_id the dataset holds, and the check that it is exactly `refs`, each once. */
export function assertDatasetHoldsExactly(emu: Emulator, datasetId: string, refs: string[]): void {
	const stored = emu.listItems(datasetId).map((i) => i.reference_id);
	assert.equal(stored.length, refs.length, 'the dataset holds one item per input');
	const storedSet = new Set(stored);
	assert.equal(storedSet.size, stored.length, 'no reference_id is stored twice');
	const expected = new Set(refs);
	const missing = refs.filter((r) => !storedSet.has(r));
	assert.deepEqual(missing.slice(0, 5), [], 'no input item is missing from the dataset');
	assert.ok(
		stored.every((r) => expected.has(r)),
		'the dataset holds nothing that was not sent',
	);
	assert.equal(emu.itemCount(datasetId), refs.length);
}

export function faultsInjected(stats: EmulatorStats): number {
	const f = stats.faultsInjected;
	return f.r429 + f.r5xx + f.dropped;
}

export function faultText(stats: EmulatorStats): string {
	const f = stats.faultsInjected;
	return `${faultsInjected(stats)} faults injected (429: ${f.r429}, 503/504: ${f.r5xx}, dropped: ${f.dropped}; slow: ${f.slow})`;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

/** A small valid PNG (8x8 RGB), different for every `seed`: the soak's "small images". */
export function tinyPng(seed: number): Buffer {
	const size = 8;
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header[8] = 8; // bit depth
	header[9] = 2; // colour type RGB
	const rows: Buffer[] = [];
	for (let y = 0; y < size; y++) {
		const row = Buffer.alloc(1 + size * 3);
		for (let x = 0; x < size; x++) {
			row[1 + x * 3] = (seed >> 16) & 0xff;
			row[2 + x * 3] = (seed >> 8) & 0xff;
			row[3 + x * 3] = (seed + x * 31 + y * 17) & 0xff;
		}
		rows.push(row);
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		pngChunk('IHDR', header),
		pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export interface RerunReport {
	/** Items sent and items that came back as error items, per round. */
	rounds: Array<{ sent: number; failed: number }>;
}

/**
 * Runs an append over all inputs (Continue On Fail), then again over the inputs whose output was
 * an error item — what a user does by feeding the error items' inputs back — until none is left
 * (at most `maxRounds`). Every round's output is checked with `checkPerItemOutput`; `accept` sees
 * every success result with the original input position.
 */
export async function appendWithReruns(
	refs: string[],
	runRound: (positions: number[]) => Promise<INodeExecutionData[]>,
	accept: (item: INodeExecutionData, position: number) => void,
	maxRounds = 4,
): Promise<RerunReport> {
	const rounds: RerunReport['rounds'] = [];
	let pending = refs.map((_, i) => i);
	while (pending.length > 0) {
		assert.ok(
			rounds.length < maxRounds,
			`items still failing after ${maxRounds} runs: ${pending.length}`,
		);
		const positions = pending;
		const output = await runRound(positions);
		const { failed } = checkPerItemOutput(
			output,
			positions.map((p) => refs[p]),
			(item) => accept(item, positions[pairedIndex(item)]),
		);
		rounds.push({ sent: positions.length, failed: failed.length });
		pending = failed.map((f) => positions[f]);
	}
	return { rounds };
}

export function roundsText(report: RerunReport): string {
	const [first, ...rest] = report.rounds;
	if (!first || first.failed === 0) return 'no item ran out of attempts';
	return `${first.failed} ran out of ${TRANSPORT_MAX_ATTEMPTS} attempts and came back as error items, re-sent in ${rest.length} more run(s)`;
}

export interface SoakRun {
	report: RerunReport;
	/** The emulator's stats right after the last run, before the faults were cleared. */
	stats: EmulatorStats;
	seconds: number;
}

/**
 * A soak: with the emulator's stats reset and `faults` injected, the node (Continue On Fail) with
 * `parameters` over `input`, re-run over the inputs that came back as error items
 * (`appendWithReruns`, which checks every round's output and passes each success to `accept`);
 * then the stats are read and the faults cleared. `checkOutput` sees each run's whole output.
 */
export async function soakAppend(
	emu: Emulator,
	options: {
		refs: string[];
		input: INodeExecutionData[];
		parameters: INodeParameters;
		accept: (item: INodeExecutionData, position: number) => void;
		faults?: Partial<Faults>;
		checkOutput?: (output: INodeExecutionData[][]) => void;
	},
): Promise<SoakRun> {
	emu.resetStats();
	emu.setFaults(options.faults ?? SOAK_FAULTS);
	const started = Date.now();
	const report = await appendWithReruns(
		options.refs,
		async (positions) => {
			const { output } = await runScale(
				emu,
				options.parameters,
				positions.map((p) => options.input[p]),
				{ continueOnFail: true },
			);
			options.checkOutput?.(output);
			return output[0];
		},
		options.accept,
	);
	const seconds = (Date.now() - started) / 1000;
	const stats = emu.stats();
	emu.resetFaults();
	return { report, stats, seconds };
}
