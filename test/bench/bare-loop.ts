/**
 * The two bare undici loops of local_upload (raw-loop.ts, in a process of n8n's own Node): one
 * run against a fresh dataset, measured like the n8n variants.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

import { REPO_ROOT } from '../e2e/n8n';
import { GC_PROBE, measureUpload, type Ctx, type UploadMeasure } from './measure';
import { round } from './options';

/** Both bare loops: the node's default Concurrency cap, and the server's in-flight limit. */
const RAW_CONCURRENCY = 32;

export type LoopMode = 'batched' | 'per-image';

/** What raw-loop.ts prints (its own view: requests answered, jobs it saw final). */
interface LoopReport {
	started: number;
	sent: number;
	finished: number;
	ok: number;
	failed: number;
	statuses: Record<string, number>;
	jobs: number;
	job_statuses: Record<string, number>;
	jobs_not_final: number;
	poll_rounds: number;
	poll_failures: number;
	/** CPU ms of the loop process from its start until every request was answered. */
	cpu_ms_to_sent: number;
	pid: number;
}

/** Runs one bare loop against a fresh dataset and measures it like the n8n variants. */
export async function bareLoop(
	ctx: Ctx,
	mode: LoopMode,
	folder: string,
	files: string[],
): Promise<UploadMeasure & Record<string, unknown>> {
	const ds = ctx.emu.createDataset(`bench-local-raw-${mode}`);
	ctx.emu.resetStats();
	const report = await runRawLoop(ctx, ds, folder, mode);
	const peakInFlight = ctx.emu.stats().inFlightPeak;
	return {
		concurrency: RAW_CONCURRENCY,
		images_per_request: mode === 'batched' ? 10 : 1,
		...(await measureUpload(ctx, ds, files, report.started, undefined, { pid: report.pid })),
		client_cpu_s_to_sent: round(report.cpu_ms_to_sent / 1000, 2),
		peak_in_flight: peakInFlight,
		failed_requests: report.failed,
		loop_statuses: report.statuses,
		loop_jobs_final: report.jobs - report.jobs_not_final,
		loop_poll_rounds: report.poll_rounds,
		loop_seconds: round((report.finished - report.started) / 1000, 3),
	};
}

async function runRawLoop(
	ctx: Ctx,
	datasetId: string,
	folder: string,
	mode: LoopMode,
): Promise<LoopReport> {
	const script = path.join(__dirname, 'raw-loop.ts');
	// The same Node as n8n (the install's Node 24), not the bench's own.
	const node = path.join(ctx.n8n.install.nodeBinDir, 'node');
	const child = spawn(
		node,
		[
			'--require',
			GC_PROBE,
			'--import',
			'tsx',
			script,
			ctx.emu.baseUrl,
			datasetId,
			folder,
			String(RAW_CONCURRENCY),
			mode,
		],
		{
			cwd: REPO_ROOT,
			env: { ...process.env, BENCH_API_KEY: ctx.emu.apiKey, BENCH_GC_DIR: ctx.gcDir },
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	let out = '';
	child.stdout.on('data', (c: Buffer) => (out += c.toString()));
	const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
	if (code !== 0) throw new Error(`raw loop (${mode}) exited ${String(code)}`);
	return JSON.parse(out.trim().split('\n').pop()!) as LoopReport;
}
