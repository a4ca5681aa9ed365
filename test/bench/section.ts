/**
 * What a bench section is: a name for `--only`, its key in results/latest.json, the run that
 * measures it, and optionally its rows in the printed table and the targets it is judged on.
 * The sections run in the order of sections/index.ts; adding one is a file there plus one line.
 */
import type { Ctx } from './measure';

/** A section's figures, as written to latest.json under its key. */
export type SectionResult = Record<string, unknown>;

export interface Target {
	met: boolean;
	value: string;
}

/** `n8n execute` of an empty workflow (n8n-baseline.ts): the RSS every run starts from. */
export type Baseline = Record<string, number>;

/** The printed table's columns; a section's rows have one cell for each. */
export const TABLE_COLUMNS = [
	'figure',
	'ours',
	'batched bare loop',
	'per-image bare loop',
	'HTTP Request node',
	'ratio',
];

export interface BenchSection {
	/** The name `--only` (BENCH_ONLY) takes. */
	only: string;
	/** Its key in latest.json. */
	key: string;
	/** Its own flags, for `--help`: one line each, as options.ts USAGE writes them. */
	usage?: string[];
	/** Runs only when named in `--only` (for a section too long for every run). */
	optIn?: boolean;
	run(ctx: Ctx): Promise<SectionResult>;
	/** Its rows in the printed table, one cell per TABLE_COLUMNS entry. */
	rows?(result: SectionResult): string[][];
	/** The targets judged on its figures, by name. */
	targets?(result: SectionResult, baseline: Baseline | undefined): Record<string, Target>;
}

/** The HTTP Request node's Batching setting as the table shows it. */
export function batchingLabel(v: unknown): string {
	const s = v as { batch_size: number; batch_interval_ms: number; lossless: boolean };
	return s.batch_interval_ms === 0
		? 'no batching'
		: `batch ${s.batch_size} / ${s.batch_interval_ms} ms`;
}
