/** `n8n execute` of a workflow that does nothing: run before every section, kept in meta. */
import { runN8n, wfId, type Ctx } from './measure';
import { lastBefore, MB, nodeWindow, peak } from './n8n-exec';
import { log, round } from './options';
import { idleWorkflow, START_NODE } from './workflows';

/** `n8n execute` of a workflow that does nothing: the RSS every run starts from. */
export async function n8nBaseline(ctx: Ctx): Promise<Record<string, number>> {
	const wf = idleWorkflow(wfId(ctx, 'Idle'));
	await ctx.n8n.importWorkflow(wf);
	const exec = await runN8n(ctx, wf.id!);
	const flowStart = nodeWindow(exec, START_NODE)?.start ?? exec.exitedAt;
	const m = {
		idle_rss_mb: round((lastBefore(exec.samples, flowStart)?.main ?? 0) / MB, 1),
		peak_rss_mb: round(peak(exec.samples, 'main') / MB, 1),
		execute_seconds: round((exec.exitedAt - exec.spawnedAt) / 1000, 1),
	};
	log(`n8n baseline (empty workflow): ${JSON.stringify(m)}`);
	return m;
}
