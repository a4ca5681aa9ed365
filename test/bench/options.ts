/**
 * The bench's flags (each also an environment variable), read once from `process.argv`, and the
 * two helpers every section uses: `log` (to stderr) and `round`. A section's own flags are read
 * in its file with `flag` and listed in its `usage`.
 */
import path from 'node:path';

import { REPO_ROOT } from '../e2e/n8n';
import type { HttpBatching } from './workflows';

/** `--name value`, else the environment variable `env`, else `fallback`. */
export function flag(name: string, env: string, fallback: string): string {
	const i = process.argv.indexOf(`--${name}`);
	if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
	return process.env[env] ?? fallback;
}

/** "1/0,16/100": the HTTP Request node's Batching settings (batch size/interval ms). */
export function batchings(text: string): HttpBatching[] {
	return text.split(',').map((s) => {
		const [batchSize, batchInterval] = s.split('/').map(Number);
		return { batchSize, batchInterval };
	});
}

/** Runs of ours, of each bare loop and of the best HTTP Request node setting; the median counts. */
export const REPS = Math.max(1, Number(flag('reps', 'BENCH_REPS', '3')));
export const VERBOSE = process.argv.includes('--verbose');
/** Directory for V8 CPU profiles of every `n8n execute` (for profiling, not for figures). */
export const CPU_PROF = flag('cpu-prof', 'BENCH_CPU_PROF', '');
/**
 * Directory for sampling heap profiles of every `n8n execute` that count collected objects too
 * (heap-probe.cjs; summed by test/bench/heap-report.ts). For profiling, not for figures.
 */
export const HEAP_PROF = flag('heap-prof', 'BENCH_HEAP_PROF', '');
/** Only our node (for profiling): skips the HTTP Request node and bare-loop variants. */
export const OURS_ONLY = process.argv.includes('--ours-only');
/** BENCH_DUMP_SAMPLES: also each upload's append requests (start, end, status) and jobs, per dataset. */
export const DUMP_DIR = process.env.BENCH_DUMP_SAMPLES ?? '';

export const RESULTS_DIR = path.join(REPO_ROOT, 'test', 'bench', 'results');

export const USAGE = `usage: npm run bench -- [flags]   (each flag also as an environment variable)
  --only local,remote,large      BENCH_ONLY: the sections to run (default: all)
  --reps N                       BENCH_REPS (3): runs of each local variant, median
  --verbose                      n8n's output to stderr
  --ours-only                    only our node (profiling)
  --cpu-prof DIR                 BENCH_CPU_PROF: V8 CPU profiles of each n8n execute
  --heap-prof DIR                BENCH_HEAP_PROF: heap profiles of each n8n execute (heap-report.ts)
  BENCH_DUMP_SAMPLES=DIR         RSS samples, requests and jobs of each execution as JSON
  BENCH_NODE_OPTIONS             added to NODE_OPTIONS of every n8n execute
`;

export function log(msg: string): void {
	process.stderr.write(`[bench] ${msg}\n`);
}

export function round(n: number, digits = 2): number {
	const f = 10 ** digits;
	return Math.round(n * f) / f;
}
