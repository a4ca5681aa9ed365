/**
 * large_files: --large-files files of --large-mb MiB through our node (binary and File Path) and
 * the HTTP Request node; the RSS growth, then again with twice the data.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

import { makeLargeFiles } from '../images';
import { describe, jobsDone, runN8n, wfId, type Ctx } from '../measure';
import { lastBefore, MB, nodeWindow, peak } from '../n8n-exec';
import { flag, log, round } from '../options';
import type { BenchSection, SectionResult, Target } from '../section';
import {
	HTTP_NODE,
	httpLocalWorkflow,
	OURS_NODE,
	oursFilePathWorkflow,
	oursLocalWorkflow,
	START_NODE,
} from '../workflows';

const LARGE_FILES = Number(flag('large-files', 'BENCH_LARGE_FILES', '20'));
const LARGE_MB = Number(flag('large-mb', 'BENCH_LARGE_MB', '50'));

async function run(ctx: Ctx): Promise<Record<string, unknown>> {
	const folder = path.join(ctx.n8n.filesDir, 'large');
	makeLargeFiles(folder, 1, LARGE_FILES, LARGE_MB);
	const files = (await readdir(folder)).sort();
	const glob = `${folder}/*.jpg`;
	const bytes = LARGE_FILES * LARGE_MB * MB;
	log(`large_files: ${LARGE_FILES} files of ${LARGE_MB} MiB`);

	const measure = async (
		kind: 'ours' | 'http' | 'ours_path',
		count = files.length,
	): Promise<Record<string, unknown>> => {
		const ds = ctx.emu.createDataset(`bench-large-${kind}-${count}`);
		const wf =
			kind === 'ours'
				? oursLocalWorkflow(wfId(ctx, 'BigOurs'), ds, glob)
				: kind === 'http'
					? httpLocalWorkflow(wfId(ctx, 'BigHttp'), ctx.emu.baseUrl, ds, glob)
					: oursFilePathWorkflow(
							wfId(ctx, 'BigPath'),
							ds,
							files.map((f) => path.join(folder, f)),
						);
		await ctx.n8n.importWorkflow(wf);
		const exec = await runN8n(ctx, wf.id!);
		const node = kind === 'http' ? HTTP_NODE : OURS_NODE;
		const win = nodeWindow(exec, node);
		if (!win) throw new Error(`${node} did not run: ${describe(exec)}`);
		// Idle: n8n started, workflow loaded, nothing run yet (the last sample before the Start node).
		const flowStart = nodeWindow(exec, START_NODE)?.start ?? win.start;
		const idle = lastBefore(exec.samples, flowStart)?.main ?? 0;
		const beforeNode = lastBefore(exec.samples, win.start)?.main ?? 0;
		const top = peak(exec.samples, 'main', win.start, win.end);
		await jobsDone(ctx, ds); // the HTTP Request node does not wait for its jobs
		const stored = ctx.emu.listItems(ds).filter((it) => it.image?.bytes === LARGE_MB * MB).length;
		const m = {
			files: count,
			idle_rss_mb: round(idle / MB, 1),
			rss_mb_before_node: round(beforeNode / MB, 1),
			peak_rss_mb_during_node: round(top / MB, 1),
			rss_growth_mb: round((top - idle) / MB, 1),
			rss_growth_mb_over_before_node: round((top - beforeNode) / MB, 1),
			node_seconds: round((win.end - win.start) / 1000, 2),
			stored_complete: stored,
			items_lost: count - stored,
			execution_status: exec.status,
			progress_lines: exec.progressLines,
		};
		log(`  ${kind}: ${JSON.stringify(m)}`);
		return m;
	};
	const ours = await measure('ours');
	const http = await measure('http');
	const oursPath = await measure('ours_path');
	// Twice the data (the same files and as many again): the growth must not grow with it.
	makeLargeFiles(folder, LARGE_FILES + 1, 2 * LARGE_FILES, LARGE_MB);
	const ours2x = await measure('ours', 2 * LARGE_FILES);
	await rm(folder, { recursive: true, force: true });
	return {
		bytes,
		rss_growth_mb_over_node_start: ours.rss_growth_mb_over_before_node,
		rss_growth_mb_over_node_start_2x: ours2x.rss_growth_mb_over_before_node,
		bytes_2x: 2 * bytes,
		rss_growth_mb: ours.rss_growth_mb,
		http_request_node_rss_growth_mb: http.rss_growth_mb,
		file_path_rss_growth_mb: oursPath.rss_growth_mb,
		items_lost: {
			ours: ours.items_lost,
			http_request_node: http.items_lost,
			ours_file_path: oursPath.items_lost,
			ours_2x: ours2x.items_lost,
		},
		detail: { ours, ours_2x: ours2x, http_request_node: http, ours_file_path: oursPath },
	};
}

function rows(g: SectionResult): string[][] {
	const rows: string[][] = [];
	if (g) {
		rows.push([
			`large files, ${round(Number(g.bytes) / MB / 1024, 2)} GiB: RSS growth over idle (MB)`,
			`${String(g.rss_growth_mb)} (File Path: ${String(g.file_path_rss_growth_mb)})`,
			'',
			'',
			String(g.http_request_node_rss_growth_mb),
			'',
		]);
		rows.push([
			`  RSS growth over the node's start (MB): ${round(Number(g.bytes) / MB / 1024, 2)} GiB / ${round(Number(g.bytes_2x) / MB / 1024, 2)} GiB`,
			`${String(g.rss_growth_mb_over_node_start)} / ${String(g.rss_growth_mb_over_node_start_2x)}`,
			'',
			'',
			'',
			'',
		]);
	}
	return rows;
}

function targets(g: SectionResult): Record<string, Target> {
	const out: Record<string, Target> = {};
	const num = (v: unknown): number => Number(v);
	if (g) {
		out['large files: RSS growth < 100 MB for 1 GB'] = {
			met: num(g.rss_growth_mb) < 100,
			value: `${String(g.rss_growth_mb)} MB over idle`,
		};
		out["large files: RSS growth < 60 MB over the node's start for 1 GB"] = {
			met: num(g.rss_growth_mb_over_node_start) < 60,
			value: `${String(g.rss_growth_mb_over_node_start)} MB`,
		};
		// 5 MB: the spread of the 100 ms RSS samples between runs of the same upload.
		out['large files: flat (2 GB grows no more than 1 GB, within 5 MB)'] = {
			met: num(g.rss_growth_mb_over_node_start_2x) <= num(g.rss_growth_mb_over_node_start) + 5,
			value: `${String(g.rss_growth_mb_over_node_start_2x)} MB for 2 GB vs ${String(g.rss_growth_mb_over_node_start)} MB for 1 GB`,
		};
	}
	return out;
}

export const largeFiles: BenchSection = {
	only: 'large',
	key: 'large_files',
	usage: [
		'--large-files N                BENCH_LARGE_FILES (20): files',
		'--large-mb N                   BENCH_LARGE_MB (50): MiB per file',
	],
	run,
	rows,
	targets,
};
