/**
 * Measuring one upload the same way for every variant: the bench context, `n8n execute` with the
 * GC probe, the emulator's jobs and timeline turned into an UploadMeasure, and the median run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import type { Emulator } from '../emulator';
import type { N8n, NodeRun } from '../e2e/n8n';
import { executeSampled, type BenchExecution } from './n8n-exec';
import { CPU_PROF, DUMP_DIR, HEAP_PROF, round } from './options';
import type { CpuClock, Timeline } from './timeline';

export interface Ctx {
	emu: Emulator;
	n8n: N8n;
	timeline: Timeline;
	cpu: CpuClock;
	/** Where gc-probe.cjs writes each process's GC pauses. */
	gcDir: string;
	seq: number;
}

/** gc-probe.cjs: preloaded into every n8n execute and bare loop (GC pauses per process). */
export const GC_PROBE = path.join(__dirname, 'gc-probe.cjs');
/** heap-probe.cjs: preloaded with --heap-prof DIR (allocation profile, garbage included). */
const HEAP_PROBE = path.join(__dirname, 'heap-probe.cjs');

/** GC pause ms of process `pid` between two epoch-ms times (0 when the probe wrote nothing). */
export function gcPauseMs(ctx: Ctx, pid: number, from: number, to: number): number {
	let entries: Array<[number, number, number]> = [];
	try {
		entries = JSON.parse(readFileSync(path.join(ctx.gcDir, `${pid}.json`), 'utf8')) as Array<
			[number, number, number]
		>;
	} catch {
		return 0;
	}
	let ms = 0;
	for (const [at, dur] of entries) if (at >= from && at <= to) ms += dur;
	return ms;
}

export function wfId(ctx: Ctx, prefix: string): string {
	return `bench${prefix}${String(++ctx.seq).padStart(3, '0')}`.slice(0, 21);
}

/** Items of `datasetId` whose reference_id is among `refs` (lost = refs.length - stored). */
export function storedCount(emu: Emulator, datasetId: string, refs: string[]): number {
	let n = 0;
	for (const r of refs) if (emu.getItem(datasetId, r)) n++;
	return n;
}

export interface UploadMeasure {
	items_per_s: number;
	stored: number;
	items_lost: number;
	/** Seconds from the upload's start (node start in n8n, loop start for a bare loop) to the last image stored. */
	seconds: number;
	/** Seconds from the upload's start to the last append the emulator answered 200 (all accepted). */
	accepted_seconds: number;
	/** Seconds from the first append request the emulator saw to the last image stored. */
	wire_seconds: number;
	requests: number;
	status_429: number;
	jobs: number;
	/** Final statuses of the dataset's jobs. */
	job_statuses: Record<string, number>;
	/** CPU seconds of the uploading process (n8n execute, or the bare loop) from the start to all accepted. */
	client_cpu_s_to_accepted?: number;
	/** GC pauses of the uploading process over the same span, seconds (gc-probe.cjs). */
	client_gc_pause_s_to_accepted?: number;
	/** CPU seconds of the bench process, where the emulator runs, over the same span. */
	emulator_cpu_s_to_accepted: number;
	peak_in_flight?: number;
	execution_status?: string;
}

/**
 * Waits until every job of `datasetId` is final, then returns the time the last of them finished
 * (epoch ms; NaN without jobs) and their statuses. Jobs are only created by answered requests, so
 * once the uploading process has ended no new job can appear.
 */
export async function jobsDone(
	ctx: Ctx,
	datasetId: string,
): Promise<{ lastFinished: number; jobs: number; statuses: Record<string, number> }> {
	const ids = ctx.emu
		.listJobs()
		.filter((j) => j.dataset_id === datasetId)
		.map((j) => j.job_id);
	let lastFinished = NaN;
	const statuses: Record<string, number> = {};
	for (const id of ids) {
		const job = await ctx.emu.waitForJob(id);
		const at = job?.finishedAt ? Date.parse(job.finishedAt) : NaN;
		if (!(at <= lastFinished)) lastFinished = at;
		const st = job?.status ?? 'missing';
		statuses[st] = (statuses[st] ?? 0) + 1;
	}
	return { lastFinished, jobs: ids.length, statuses };
}

export async function measureUpload(
	ctx: Ctx,
	datasetId: string,
	refs: string[],
	startedAt: number,
	statusOf?: string,
	/** The uploading process: its pid (GC pauses) and its CPU ms between two epoch-ms times. */
	client?: { pid: number; cpuMs?: (from: number, to: number) => number },
): Promise<UploadMeasure> {
	const done = await jobsDone(ctx, datasetId);
	const events = ctx.timeline.appends(datasetId);
	if (DUMP_DIR) {
		const jobs = ctx.emu
			.listJobs()
			.filter((j) => j.dataset_id === datasetId)
			.map((j) => ({ created: Date.parse(j.job_creation_time), finished: j.finishedAt }));
		writeFileSync(
			path.join(DUMP_DIR, `requests-${datasetId}.json`),
			JSON.stringify({
				startedAt,
				events,
				jobs,
				// job polls seen since the upload started (any dataset: job routes do not name one)
				polls: ctx.timeline.events.filter(
					(e) => e.start >= startedAt && e.path.startsWith('/v1/nucleus/job/'),
				),
			}),
		);
	}
	const ok = events.filter((e) => e.status === 200);
	const firstReq = Math.min(...events.map((e) => e.start));
	const lastOk = Math.max(...ok.map((e) => e.end));
	const stored = storedCount(ctx.emu, datasetId, refs);
	const seconds = (done.lastFinished - startedAt) / 1000;
	return {
		items_per_s: round(stored / seconds, 1),
		stored,
		items_lost: refs.length - stored,
		seconds: round(seconds, 3),
		accepted_seconds: round((lastOk - startedAt) / 1000, 3),
		wire_seconds: round((done.lastFinished - firstReq) / 1000, 3),
		requests: events.length,
		status_429: events.filter((e) => e.status === 429).length,
		jobs: done.jobs,
		job_statuses: done.statuses,
		...(client?.cpuMs
			? { client_cpu_s_to_accepted: round(client.cpuMs(startedAt, lastOk) / 1000, 2) }
			: {}),
		...(client
			? {
					client_gc_pause_s_to_accepted: round(
						gcPauseMs(ctx, client.pid, startedAt, lastOk) / 1000,
						2,
					),
				}
			: {}),
		emulator_cpu_s_to_accepted: round(ctx.cpu.between(startedAt, lastOk) / 1000, 2),
		...(statusOf ? { execution_status: statusOf } : {}),
	};
}

export async function runN8n(
	ctx: Ctx,
	id: string,
	timeoutMs = 10 * 60_000,
): Promise<BenchExecution> {
	const nodeOptions = [
		`--require ${GC_PROBE}`,
		...(CPU_PROF ? [`--cpu-prof --cpu-prof-dir=${CPU_PROF}`] : []),
		...(HEAP_PROF ? [`--require ${HEAP_PROBE}`] : []),
		...(process.env.BENCH_NODE_OPTIONS ? [process.env.BENCH_NODE_OPTIONS] : []),
	].join(' ');
	const env: Record<string, string> = { NODE_OPTIONS: nodeOptions, BENCH_GC_DIR: ctx.gcDir };
	if (HEAP_PROF) env.BENCH_HEAP_PROF = HEAP_PROF;
	const exec = await executeSampled(ctx.n8n, id, { timeoutMs, env });
	return exec;
}

export function describe(exec: BenchExecution): string {
	const nodes = Object.entries(exec.runData)
		.map(
			([name, runs]) =>
				`${name}[${(runs[0]?.data?.main ?? []).map((o) => (o ? o.length : 0)).join(',')}]`,
		)
		.join(' ');
	return `status=${exec.status}${exec.error?.message ? ` error="${exec.error.message}"` : ''} ${nodes}`;
}

export function outputOf(exec: BenchExecution, node: string): NodeRun['data'] {
	return exec.runData[node]?.[0]?.data;
}

/** The median run of a variant by items/s, with every run's items/s and the items lost in all runs. */
export function medianRun<T extends UploadMeasure>(
	runs: T[],
): T & { runs_items_per_s: number[]; items_lost_all_runs: number } {
	const sorted = [...runs].sort((x, y) => x.items_per_s - y.items_per_s);
	return {
		...sorted[Math.floor((sorted.length - 1) / 2)],
		runs_items_per_s: runs.map((r) => r.items_per_s),
		items_lost_all_runs: runs.reduce((n, r) => n + r.items_lost, 0),
	};
}
