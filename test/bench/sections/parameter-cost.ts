/**
 * parameter_cost: what Append's parameters cost per item, in the real n8n, in one run.
 *
 * Remote (S3-listing items from a Code node, --param-items, default 10,000 and 60,000) and local
 * (--items PNG files through Read Files from Disk) appends run with:
 *  - paths: every value a plain `{{ $json.field }}` path (the previous node computed the fields);
 *  - templates: example 07's parameters (`=s3://nucleus-images/{{ $json.Key }}`, `={{ $json.Key }}`,
 *    Fields Below `={{ $json.Key.split('/')[1] }}`, `={{ $json.Key }}`,
 *    `={{ $json.ETag.replaceAll('"', '') }}`; locally a reference-ID template and two string
 *    methods), read as the node reads them;
 *  - templates, plain reads only: the same, with NUCLEUS_BENCH_PLAIN_READS_ONLY=1 in n8n's
 *    environment: only constants and whole `$json` paths are read directly, as before templates and
 *    Fields Below leaves were (n8n evaluates the rest for every item).
 * Reported for each: seconds from the node's start (its startTime in n8n's run data) to the first
 * request the emulator saw after it, and that time per item (the node reads and checks every item
 * before it sends anything). The remote runs also check, in the emulator, that the item of a few
 * keys holds the image URL and metadata the parameters say (so the figures are of correct runs).
 */
import path from 'node:path';

import type { Emulator } from '../../emulator';
import type { WorkflowJson } from '../../e2e/n8n';
import { makeImages } from '../images';
import { runN8n, wfId, type Ctx } from '../measure';
import { nodeWindow } from '../n8n-exec';
import { flag, log } from '../options';
import type { BenchSection, SectionResult, Target } from '../section';
import {
	OURS_NODE,
	oursLocalStyleWorkflow,
	oursRemoteStyleWorkflow,
	type ParameterStyle,
} from '../workflows';

const REMOTE_COUNTS = flag('param-items', 'BENCH_PARAM_ITEMS', '10000,60000')
	.split(',')
	.map(Number);
const LOCAL_COUNT = Number(flag('items', 'BENCH_ITEMS', '2000'));

type Variant = { label: string; style: ParameterStyle; env?: Record<string, string> };

const VARIANTS: Variant[] = [
	{ label: 'paths', style: 'paths' },
	{ label: 'templates', style: 'templates' },
	{
		label: 'templates_plain_reads_only',
		style: 'templates',
		env: { NUCLEUS_BENCH_PLAIN_READS_ONLY: '1' },
	},
];

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

interface Figure {
	items: number;
	before_first_request_s: number;
	per_item_ms: number;
	node_seconds: number;
	status: string;
}

async function measure(
	ctx: Ctx,
	wf: WorkflowJson,
	items: number,
	env?: Record<string, string>,
): Promise<Figure> {
	await ctx.n8n.importWorkflow(wf);
	const exec = await runN8n(ctx, wf.id!, undefined, env);
	const win = nodeWindow(exec, OURS_NODE);
	if (!win) throw new Error(`our node did not run (status ${exec.status})`);
	const starts = ctx.timeline.events.map((e) => e.start).filter((t) => t >= win.start);
	const first = Math.min(...starts);
	if (!Number.isFinite(first)) throw new Error('our node sent no request');
	const before = (first - win.start) / 1000;
	return {
		items,
		before_first_request_s: round(before),
		per_item_ms: round((before * 1000) / items, 4),
		node_seconds: round((win.end - win.start) / 1000),
		status: exec.status,
	};
}

/** Once the jobs are done, the stored items of a few keys must hold what both parameter styles say. */
async function checkStored(emu: Emulator, datasetId: string, count: number): Promise<void> {
	for (const job of emu.listJobs().filter((j) => j.dataset_id === datasetId)) {
		await emu.waitForJob(job.job_id);
	}
	const folders = ['front', 'rear', 'left', 'right'];
	for (const i of [1, 2, Math.ceil(count / 2), count]) {
		const n = String(i).padStart(6, '0');
		const key = `images/${folders[i % 4]}/${n}.jpg`;
		const item = emu.getItem(datasetId, key);
		const expected = { folder: folders[i % 4], s3_key: key, etag: `e${n}f00d` };
		if (
			item?.image_url !== `s3://nucleus-images/${key}` ||
			JSON.stringify(item.metadata) !== JSON.stringify(expected)
		) {
			throw new Error(`${datasetId}: item ${key} stored as ${JSON.stringify(item)}`);
		}
	}
}

async function run(ctx: Ctx): Promise<SectionResult> {
	const remote: Record<string, Record<string, Figure>> = {};
	for (const count of REMOTE_COUNTS) {
		log(`parameter_cost: remote, ${count} items`);
		const figures: Record<string, Figure> = {};
		for (const v of VARIANTS) {
			const ds = ctx.emu.createDataset(`bench-params-${v.label}-${count}`);
			const wf = oursRemoteStyleWorkflow(wfId(ctx, 'Par'), ds, count, v.style);
			figures[v.label] = await measure(ctx, wf, count, v.env);
			await checkStored(ctx.emu, ds, count);
			log(`  ${v.label}: ${JSON.stringify(figures[v.label])}`);
		}
		remote[String(count)] = figures;
	}
	log(`parameter_cost: local, ${LOCAL_COUNT} files`);
	const folder = path.join(ctx.n8n.filesDir, 'params-local');
	await makeImages(folder, LOCAL_COUNT);
	const local: Record<string, Figure> = {};
	for (const v of VARIANTS) {
		const ds = ctx.emu.createDataset(`bench-params-local-${v.label}`);
		const wf = oursLocalStyleWorkflow(wfId(ctx, 'ParLoc'), ds, `${folder}/*.png`, v.style);
		local[v.label] = await measure(ctx, wf, LOCAL_COUNT, v.env);
		log(`  ${v.label}: ${JSON.stringify(local[v.label])}`);
	}
	return { remote, local };
}

/** How many times sooner example 07's templates reach the first request than when n8n evaluates them. */
function speedup(f: Record<string, Figure>): number {
	return round(
		f.templates_plain_reads_only.before_first_request_s / f.templates.before_first_request_s,
		2,
	);
}

function rows(result: SectionResult): string[][] {
	const cell = (f: Figure) => `${f.before_first_request_s} s (${f.per_item_ms} ms/item)`;
	const row = (name: string, f: Record<string, Figure>) => [
		`${name}: node start to first request, paths / example 07's templates / the same read by n8n`,
		`${cell(f.paths)} / ${cell(f.templates)} / ${cell(f.templates_plain_reads_only)}`,
		'',
		'',
		'',
		`templates ${speedup(f)}x sooner`,
	];
	const remote = result.remote as Record<string, Record<string, Figure>>;
	const local = result.local as Record<string, Figure>;
	return [
		...Object.entries(remote).map(([n, f]) => row(`${n} remote items`, f)),
		row(`${local.paths.items} local files`, local),
	];
}

function targets(result: SectionResult): Record<string, Target> {
	const out: Record<string, Target> = {};
	for (const [n, f] of Object.entries(result.remote as Record<string, Record<string, Figure>>)) {
		out[`${n} remote items, example 07's templates: first request >= 2x sooner than read by n8n`] =
			{
				met: speedup(f) >= 2,
				value: `${f.templates.before_first_request_s} s vs ${f.templates_plain_reads_only.before_first_request_s} s (${speedup(f)}x)`,
			};
	}
	return out;
}

export const parameterCost: BenchSection = {
	only: 'params',
	key: 'parameter_cost',
	usage: [
		'--param-items "10000,60000"    BENCH_PARAM_ITEMS: remote item counts (local: --items files)',
	],
	run,
	rows,
	targets,
};
