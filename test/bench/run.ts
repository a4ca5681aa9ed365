/**
 * `npm run bench`: our node against n8n's built-in HTTP Request node and against two bare undici
 * loops, in one run, against the emulator's `realistic` profile (test/emulator/rules.ts
 * PROFILES.realistic: a model of a hosted API, not Scale's published limits), in a real n8n 2.41.1
 * with the packed package (test/e2e/n8n.ts). Writes test/bench/results/latest.json (git-ignored)
 * and prints a table.
 *
 * Local upload variants (same folder of PNG files, each to its own dataset, one after the other):
 *  (a) ours: Read Files from Disk -> our node, default parameters and options (batches of 10 to
 *      `append?async=1`, adaptive pool up to 32 in flight, Wait for Completion on);
 *  (b) the HTTP Request node, one image per request (`item` + `image` to `append`, as a user builds
 *      it by hand), for each Batching setting of the grid; the best lossless one is reported;
 *  (c) the batched bare loop (raw-loop.ts `batched`): the node's wire form, 32 in flight;
 *  (d) the per-image bare loop (raw-loop.ts `per-image`): the HTTP Request node's form, 32 in flight.
 * Every one of these creates jobs (today's server answers every append with an AsyncJob).
 *
 * How it measures (the same way for every variant):
 *  - Local upload window: from the start of the uploading node (its startTime in n8n's run data;
 *    for a bare loop, the start of its loop, before it lists the folder) to the moment the last
 *    image was stored in the emulator's dataset (the latest `finishedAt` of the dataset's jobs,
 *    taken after every job of the dataset is final). items/s = images stored / that window. n8n's
 *    start-up and the Read Files node are outside the window; so is the time our node then takes to
 *    see every job final and read their errors (its polls), reported as `node_seconds`. Items lost =
 *    expected reference_ids missing in the emulator after all jobs of the dataset are final.
 *    `accepted_seconds` is the same start to the last append the emulator answered 200.
 *  - CPU and GC, start to all accepted: the uploading process's user + system time (n8n execute:
 *    /proc/<pid>/stat every 100 ms; bare loop: its own process.cpuUsage()), the bench process's
 *    (where the emulator runs), and the uploading process's GC pauses (gc-probe.cjs).
 *  - Runs: ours and the two bare loops run --reps times (3), interleaved (ours, batched, per-image,
 *    ours, ...), so that a noisy neighbour on shared cores does not hit one variant only; the HTTP
 *    Request node runs each Batching setting once, then its fastest lossless setting until it has
 *    --reps runs. Each local figure is the median run by items/s; items lost add up over all runs.
 *  - Remote append (100k items): accepted = node start to the last append the emulator answered
 *    200 (our node without waiting outputs one item per job); all stored = node start to the
 *    latest `finishedAt` of the dataset's jobs, once every item is in the emulator. The HTTP
 *    Request node route (JSON batches of 29 to `append`, one job each) is timed to all stored too.
 *  - Memory: VmRSS of the `n8n execute` process from /proc every 100 ms (one process: the Code
 *    node's task runner is a child, reported apart as "tree"). Idle = the last sample before the
 *    workflow's Start node ran (n8n loaded, nothing done yet).
 *  - The HTTP Request node's Batching option starts `batchSize` requests and then sleeps
 *    `batchInterval` ms; it never waits for a batch to finish, so an interval of 0 means no pacing
 *    (batch size then makes no difference). The grid below tries no pacing and a few paced rates.
 *
 * Flags (or env): --items N (BENCH_ITEMS, 2000), --remote-items N (BENCH_REMOTE_ITEMS, 100000),
 * --large-files N (BENCH_LARGE_FILES, 20), --large-mb N (BENCH_LARGE_MB, 50),
 * --http-settings "1/0,16/100" (BENCH_HTTP_SETTINGS: batch size/interval ms for local_upload),
 * --http-remote-settings "1/0,32/100" (BENCH_HTTP_REMOTE_SETTINGS: the same for remote_append),
 * --reps N (BENCH_REPS, 3: runs of each local variant, median), --only local,remote,large
 * (BENCH_ONLY), --verbose (n8n's output to stderr),
 * --ours-only and --cpu-prof DIR (profiling: only our node; V8 CPU profiles of each n8n execute),
 * BENCH_DUMP_SAMPLES=DIR (each execution's RSS samples and node start times as JSON; each upload's
 * append requests, job polls and jobs as requests-<datasetId>.json; the GC pause files are kept),
 * BENCH_NODE_OPTIONS (added to NODE_OPTIONS of every n8n execute); --help lists them.
 *
 * Where things are: this file runs the sections of sections/index.ts (one file each; section.ts
 * says what a section is) after n8n-baseline.ts, then writes the results and prints table.ts's
 * table and the targets. measure.ts measures an upload, options.ts reads the flags, timeline.ts
 * records what the emulator saw, images.ts writes the input files, bare-loop.ts runs raw-loop.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';

import { startEmulator } from '../emulator';
import {
	cleanupWorkRoot,
	EXAMPLE_CREDENTIAL,
	nucleusCredential,
	prepareN8n,
	type N8n,
} from '../e2e/n8n';
import type { Ctx } from './measure';
import { n8nBaseline } from './n8n-baseline';
import { DUMP_DIR, flag, log, RESULTS_DIR, round, USAGE, VERBOSE } from './options';
import type { Baseline, SectionResult, Target } from './section';
import { SECTIONS } from './sections';
import { table } from './table';
import { CpuClock, Timeline } from './timeline';

/** --only (BENCH_ONLY): by default every section that is not opt-in. */
const only = new Set(
	flag(
		'only',
		'BENCH_ONLY',
		SECTIONS.filter((s) => !s.optIn)
			.map((s) => s.only)
			.join(','),
	)
		.split(',')
		.map((s) => s.trim()),
);

/** The targets of every section that ran, each with the figure it is judged on. */
function targets(
	result: Record<string, SectionResult | undefined>,
	baseline: Baseline | undefined,
): Record<string, Target> {
	const out: Record<string, Target> = {};
	for (const section of SECTIONS) {
		const figures = result[section.key];
		if (figures && section.targets) Object.assign(out, section.targets(figures, baseline));
	}
	return out;
}

async function main(): Promise<void> {
	if (process.argv.includes('--help')) {
		const sections = SECTIONS.map(
			(s) =>
				`${s.only}: ${s.key}${s.optIn ? ' (opt-in)' : ''}\n` +
				(s.usage ?? []).map((line) => `  ${line}\n`).join(''),
		);
		process.stdout.write(`${USAGE}sections, in the order they run:\n${sections.join('')}`);
		return;
	}
	const t0 = Date.now();
	const timeline = new Timeline();
	const cpu = new CpuClock();
	const gcDir = await mkdtemp(path.join(tmpdir(), 'bench-gc-'));
	const emu = await startEmulator({ profile: 'realistic', quiet: false, log: timeline.log });
	let n8n: N8n | undefined;
	const result: Record<string, SectionResult | undefined> = {};
	let baseline: Baseline | undefined;
	try {
		log('preparing n8n (first run installs it: minutes)');
		n8n = await prepareN8n({ label: 'bench', verbose: VERBOSE });
		await n8n.importCredentials([nucleusCredential(emu.apiKey, emu.baseUrl, EXAMPLE_CREDENTIAL)]);
		const ctx: Ctx = { emu, n8n, timeline, cpu, gcDir, seq: 0 };
		baseline = await n8nBaseline(ctx);
		for (const section of SECTIONS) {
			if (only.has(section.only)) result[section.key] = await section.run(ctx);
		}
	} finally {
		await n8n?.cleanup();
		await cleanupWorkRoot();
		await emu.close();
		cpu.stop();
		if (DUMP_DIR) log(`GC pauses per process kept in ${gcDir}`);
		else await rm(gcDir, { recursive: true, force: true });
	}
	const out = {
		...result,
		targets: targets(result, baseline),
		meta: {
			date: new Date().toISOString(),
			seconds: round((Date.now() - t0) / 1000, 1),
			emulator_profile: 'realistic',
			emulator_settings: emu.settings,
			n8n: '2.41.1',
			n8n_baseline: baseline,
			cpus: cpus().length,
		},
	};
	mkdirSync(RESULTS_DIR, { recursive: true });
	const file = path.join(RESULTS_DIR, 'latest.json');
	writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
	const targetLines = Object.entries(out.targets).map(
		([name, t]) => `  ${t.met ? 'met    ' : 'NOT met'}  ${name}: ${t.value}`,
	);
	process.stdout.write(
		`\n${table(SECTIONS, result)}\n\ntargets:\n${targetLines.join('\n')}\n\nwritten ${path.relative(process.cwd(), file)} (${out.meta.seconds} s)\n`,
	);
}

main().catch((e: unknown) => {
	process.stderr.write(`[bench] failed: ${String((e as Error)?.stack ?? e)}\n`);
	process.exit(1);
});
