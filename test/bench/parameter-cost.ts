/**
 * Bench section `params`: what Append's parameters cost per item, in the real n8n, in one run.
 *
 * Remote (S3-listing items from a Code node, `--param-items`, default 10,000 and 60,000) and local
 * (the PNG folder of Read Files from Disk, `--items`) appends run with:
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
import type { Emulator } from '../emulator';
import type { WorkflowJson } from '../e2e/n8n';
import { nodeWindow, type BenchExecution } from './n8n-exec';
import {
	OURS_NODE,
	oursLocalStyleWorkflow,
	oursRemoteStyleWorkflow,
	type ParameterStyle,
} from './workflows';

/** What the section needs from the bench's run (run.ts). */
export interface ParameterCostRig {
	emu: Emulator;
	importWorkflow(wf: WorkflowJson): Promise<unknown>;
	/** Runs a workflow with `n8n execute`, extra environment variables added. */
	run(workflowId: string, env?: Record<string, string>): Promise<BenchExecution>;
	/** Start times (epoch ms) of the requests the emulator has answered so far. */
	requestStarts(): number[];
	wfId(prefix: string): string;
	/** A folder glob of `count` PNG files. */
	pngGlob(count: number): Promise<string>;
	log(line: string): void;
}

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
	rig: ParameterCostRig,
	wf: WorkflowJson,
	items: number,
	env?: Record<string, string>,
): Promise<Figure> {
	await rig.importWorkflow(wf);
	const exec = await rig.run(wf.id!, env);
	const win = nodeWindow(exec, OURS_NODE);
	if (!win) throw new Error(`our node did not run (status ${exec.status})`);
	const first = Math.min(...rig.requestStarts().filter((t) => t >= win.start));
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

export async function parameterCost(
	rig: ParameterCostRig,
	remoteCounts: number[],
	localCount: number,
): Promise<Record<string, unknown>> {
	const remote: Record<string, Record<string, Figure>> = {};
	for (const count of remoteCounts) {
		rig.log(`parameter cost: remote, ${count} items`);
		const figures: Record<string, Figure> = {};
		for (const v of VARIANTS) {
			const ds = rig.emu.createDataset(`bench-params-${v.label}-${count}`);
			const wf = oursRemoteStyleWorkflow(rig.wfId('Par'), ds, count, v.style);
			figures[v.label] = await measure(rig, wf, count, v.env);
			await checkStored(rig.emu, ds, count);
			rig.log(`  ${v.label}: ${JSON.stringify(figures[v.label])}`);
		}
		remote[String(count)] = figures;
	}
	rig.log(`parameter cost: local, ${localCount} files`);
	const glob = await rig.pngGlob(localCount);
	const local: Record<string, Figure> = {};
	for (const v of VARIANTS) {
		const ds = rig.emu.createDataset(`bench-params-local-${v.label}`);
		const wf = oursLocalStyleWorkflow(rig.wfId('ParLoc'), ds, glob, v.style);
		local[v.label] = await measure(rig, wf, localCount, v.env);
		rig.log(`  ${v.label}: ${JSON.stringify(local[v.label])}`);
	}
	const speedup = (f: Record<string, Figure>) =>
		round(
			f.templates_plain_reads_only.before_first_request_s / f.templates.before_first_request_s,
			2,
		);
	return {
		remote,
		local,
		speedup_templates: {
			...Object.fromEntries(Object.entries(remote).map(([n, f]) => [`remote_${n}`, speedup(f)])),
			local: speedup(local),
		},
	};
}

/** The section's lines of the printed summary. */
export function parameterCostLines(result: Record<string, unknown> | undefined): string {
	if (!result) return '';
	const row = (name: string, f: Record<string, Figure>) =>
		`  ${name}: ${VARIANTS.map((v) => `${v.label.replace(/_/g, ' ')} ${f[v.label].before_first_request_s} s (${f[v.label].per_item_ms} ms/item)`).join(' | ')}`;
	const remote = result.remote as Record<string, Record<string, Figure>>;
	return [
		'parameter cost, node start to first request:',
		...Object.entries(remote).map(([n, f]) => row(`remote ${n}`, f)),
		row(
			`local ${(result.local as Record<string, Figure>).paths.items}`,
			result.local as Record<string, Figure>,
		),
		`  templates vs plain reads only: ${JSON.stringify(result.speedup_templates)}`,
	].join('\n');
}
