/**
 * remote_append: --remote-items remote URLs through our node without waiting (accepted, all
 * stored, memory over n8n's own floor) and through the HTTP Request node's JSON route.
 */
import { jobsDone, describe, measureUpload, outputOf, runN8n, storedCount, wfId } from '../measure';
import type { Ctx, UploadMeasure } from '../measure';
import { lastBefore, MB, nodeWindow, peak } from '../n8n-exec';
import { batchings, flag, log, OURS_ONLY, round } from '../options';
import {
	batchingLabel,
	type Baseline,
	type BenchSection,
	type SectionResult,
	type Target,
} from '../section';
import {
	HTTP_NODE,
	httpRemoteWorkflow,
	OURS_NODE,
	oursRemoteWorkflow,
	START_NODE,
	WAIT_NODE,
	waitRemoteWorkflow,
	type HttpBatching,
} from '../workflows';

const REMOTE_ITEMS = Number(flag('remote-items', 'BENCH_REMOTE_ITEMS', '100000'));
/** The same for the synchronous JSON route of remote_append (3,449 requests of 29 items for 100,000). */
const HTTP_REMOTE_SETTINGS = batchings(
	flag('http-remote-settings', 'BENCH_HTTP_REMOTE_SETTINGS', '1/0,32/100'),
);

async function run(ctx: Ctx): Promise<Record<string, unknown>> {
	log(`remote_append: ${REMOTE_ITEMS} remote items`);
	const refs = Array.from(
		{ length: REMOTE_ITEMS },
		(_, i) => `img-${String(i + 1).padStart(6, '0')}`,
	);

	const dsOurs = ctx.emu.createDataset('bench-remote-ours');
	const oursWf = oursRemoteWorkflow(wfId(ctx, 'RemOurs'), dsOurs, REMOTE_ITEMS);
	await ctx.n8n.importWorkflow(oursWf);
	const exec = await runN8n(ctx, oursWf.id!);
	const win = nodeWindow(exec, OURS_NODE);
	if (!win) throw new Error(`our node did not run: ${describe(exec)}`);
	// Without waiting, the node outputs one item per job.
	const jobItems = outputOf(exec, OURS_NODE)?.main?.[0] ?? [];
	const jobIds = jobItems
		.map((it) => (it.json as { job_id?: unknown }).job_id)
		.filter((id): id is string => typeof id === 'string');
	if (!jobIds.length) throw new Error(`no job id in our node's output: ${describe(exec)}`);
	const accepted = Math.max(
		...ctx.timeline
			.appends(dsOurs)
			.filter((e) => e.status === 200)
			.map((e) => e.end),
	);
	const done = await jobsDone(ctx, dsOurs);
	const oursStored = storedCount(ctx.emu, dsOurs, refs);
	const acceptedS = (accepted - win.start) / 1000;
	const completedS = (done.lastFinished - win.start) / 1000;
	const idle = lastBefore(exec.samples, win.start);
	const oursM = {
		accepted_s: round(acceptedS),
		completed_s: round(completedS),
		node_seconds: round((win.end - win.start) / 1000),
		output_items: jobItems.length,
		jobs: done.jobs,
		job_status: Object.keys(done.statuses).length === 1 ? Object.keys(done.statuses)[0] : 'mixed',
		job_statuses: done.statuses,
		stored: oursStored,
		items_lost: REMOTE_ITEMS - oursStored,
		progress_lines: exec.progressLines,
		peak_rss_mb_during_node: round(peak(exec.samples, 'main', win.start, win.end) / MB, 1),
		peak_rss_mb_process: round(peak(exec.samples, 'main') / MB, 1),
		peak_rss_mb_process_tree: round(peak(exec.samples, 'tree') / MB, 1),
		rss_mb_before_node: idle ? round(idle.main / MB, 1) : undefined,
		idle_rss_mb: round(
			(lastBefore(exec.samples, nodeWindow(exec, START_NODE)?.start ?? win.start)?.main ?? 0) / MB,
			1,
		),
	};
	log(`  ours: ${JSON.stringify(oursM)}`);
	const floor = await remoteFloor(ctx, (win.end - win.start) / 1000);
	const nodeStart = idle?.main ?? 0;
	const nodePeakOverStart = round(
		(peak(exec.samples, 'main', win.start, win.end) - nodeStart) / MB,
		1,
	);
	const memory = {
		node_peak_mb_over_node_start: nodePeakOverStart,
		n8n_floor_mb_over_node_start: floor.peak_mb_over_node_start,
		// A floor below zero (n8n's heap shrank while it waited) takes nothing off the node's figure.
		node_own_peak_mb: round(nodePeakOverStart - Math.max(0, floor.peak_mb_over_node_start), 1),
		n8n_floor: floor,
	};
	log(`  memory: ${JSON.stringify(memory)}`);
	if (OURS_ONLY) return { ...memory, detail: { ours: oursM } };

	const http: Array<UploadMeasure & { settings: HttpBatching; peak_rss_mb_process: number }> = [];
	for (const settings of HTTP_REMOTE_SETTINGS) {
		const ds = ctx.emu.createDataset(
			`bench-remote-http-${settings.batchSize}-${settings.batchInterval}`,
		);
		const wf = httpRemoteWorkflow(
			wfId(ctx, 'RemHttp'),
			ctx.emu.baseUrl,
			ds,
			REMOTE_ITEMS,
			settings,
		);
		await ctx.n8n.importWorkflow(wf);
		ctx.emu.resetStats();
		const hexec = await runN8n(ctx, wf.id!);
		const hwin = nodeWindow(hexec, HTTP_NODE);
		if (!hwin) throw new Error(`HTTP Request node did not run: ${describe(hexec)}`);
		const m = {
			settings,
			...(await measureUpload(ctx, ds, refs, hwin.start, hexec.status)),
			peak_rss_mb_process: round(peak(hexec.samples, 'main') / MB, 1),
		};
		http.push(m);
		log(`  http ${settings.batchSize}/${settings.batchInterval}: ${JSON.stringify(m)}`);
	}
	const lossless = http.filter((h) => h.items_lost === 0);
	// Fastest to store everything; when every setting lost items, the one that stored the most.
	const best = lossless.length
		? lossless.reduce((a, b) => (b.seconds < a.seconds ? b : a))
		: http.reduce((a, b) => (b.stored > a.stored ? b : a));

	return {
		items: REMOTE_ITEMS,
		accepted_s: oursM.accepted_s,
		completed_s: oursM.completed_s,
		peak_rss_mb: oursM.peak_rss_mb_during_node,
		...memory,
		progress_lines: oursM.progress_lines,
		ratio_vs_http_request_node: round(best.seconds / completedS),
		ratio_accepted_vs_http_request_node: round(best.seconds / acceptedS),
		http_request_node_seconds: best.seconds,
		http_request_node_settings: {
			batch_size: best.settings.batchSize,
			batch_interval_ms: best.settings.batchInterval,
			lossless: best.items_lost === 0,
		},
		items_lost: { ours: oursM.items_lost, http_request_node: best.items_lost },
		detail: {
			ours: oursM,
			http_request_node: http.map(({ settings, ...m }) => ({
				batch_size: settings.batchSize,
				batch_interval_ms: settings.batchInterval,
				...m,
			})),
		},
	};
}

/**
 * n8n's own growth with the same 100,000 items over the same span: the Code node's items, then a
 * Wait node sleeping as long as our node ran (at least 1 s). Peak over the Wait node's start within
 * that span: what the process grows by for taking the items in, whatever node comes next.
 */
async function remoteFloor(ctx: Ctx, seconds: number): Promise<Record<string, number>> {
	const wf = waitRemoteWorkflow(
		wfId(ctx, 'RemFloor'),
		REMOTE_ITEMS,
		Math.max(1, Math.ceil(seconds)),
	);
	await ctx.n8n.importWorkflow(wf);
	const exec = await runN8n(ctx, wf.id!);
	const win = nodeWindow(exec, WAIT_NODE);
	if (!win) throw new Error(`the Wait node did not run: ${describe(exec)}`);
	const before = lastBefore(exec.samples, win.start)?.main ?? 0;
	const top = peak(exec.samples, 'main', win.start, win.start + seconds * 1000);
	const m = {
		rss_mb_before_node: round(before / MB, 1),
		peak_rss_mb_during_span: round(top / MB, 1),
		peak_mb_over_node_start: round((top - before) / MB, 1),
		span_s: round(seconds, 2),
	};
	log(`  n8n floor (Wait node): ${JSON.stringify(m)}`);
	return m;
}

function rows(r: SectionResult): string[][] {
	const rows: string[][] = [];
	if (r?.http_request_node_settings) {
		rows.push([
			`remote append, ${String(r.items)} items: accepted (s)`,
			String(r.accepted_s),
			'',
			'',
			'',
			`${String(r.ratio_accepted_vs_http_request_node)}x sooner than HTTP node all stored`,
		]);
		rows.push([
			'  all items stored (s)',
			String(r.completed_s),
			'',
			'',
			`${String(r.http_request_node_seconds)} (${batchingLabel(r.http_request_node_settings)})`,
			`${String(r.ratio_vs_http_request_node)}x`,
		]);
		rows.push(['  peak RSS of n8n during the node (MB)', String(r.peak_rss_mb), '', '', '', '']);
		rows.push([
			'  peak over the RSS at the node start (MB): node / n8n floor (Wait node, same span)',
			`${String(r.node_peak_mb_over_node_start)} / ${String(r.n8n_floor_mb_over_node_start)}`,
			'',
			'',
			'',
			`node's own part: ${String(r.node_own_peak_mb)} MB`,
		]);
		rows.push(['  progress lines logged', String(r.progress_lines), '', '', '', '']);
	}
	return rows;
}

function targets(r: SectionResult, baseline: Baseline | undefined): Record<string, Target> {
	const out: Record<string, Target> = {};
	const num = (v: unknown): number => Number(v);
	if (r?.http_request_node_settings) {
		out['100k remote accepted in < 30 s'] = {
			met: num(r.accepted_s) < 30,
			value: `${String(r.accepted_s)} s`,
		};
		out['100k remote: peak RSS < 400 MB'] = {
			met: num(r.peak_rss_mb) < 400,
			value: `${String(r.peak_rss_mb)} MB (n8n with an empty workflow: ${String(baseline?.peak_rss_mb ?? '?')} MB)`,
		};
		out["100k remote: node's own peak < 60 MB over the RSS at its start"] = {
			met: num(r.node_own_peak_mb) < 60,
			value: `${String(r.node_own_peak_mb)} MB (${String(r.node_peak_mb_over_node_start)} MB over the node's start, n8n floor ${String(r.n8n_floor_mb_over_node_start)} MB)`,
		};
		out['100k remote: >= 10x the HTTP Request node route (time to all stored)'] = {
			met: num(r.ratio_vs_http_request_node) >= 10,
			value: `${String(r.ratio_vs_http_request_node)}x (accepted vs HTTP done: ${String(
				r.ratio_accepted_vs_http_request_node,
			)}x)`,
		};
	}
	return out;
}

export const remoteAppend: BenchSection = {
	only: 'remote',
	key: 'remote_append',
	usage: [
		'--remote-items N               BENCH_REMOTE_ITEMS (100000): items',
		'--http-remote-settings "..."   BENCH_HTTP_REMOTE_SETTINGS: HTTP Request node batch size/interval ms',
	],
	run,
	rows,
	targets,
};
