/**
 * Bench section bucket_sync (`--only bucket`, opt-in: about 15 minutes): Sync from Bucket at a million objects, in a real n8n 2.41.1 with the
 * packed package, against the emulator's realistic profile (~50 ms per request, 32 in flight,
 * jobs at 2,000 images/s each: a model of a hosted API, not Scale's published numbers).
 *
 * The bucket is the listing-only S3 stand-in (test/harness/s3-listing.ts): ListObjectsV2 over
 * generated keys, each page answered after 50 ms. s3rver cannot hold a million objects quickly;
 * test/integration/s3-listing-standin.test.ts checks that the stand-in answers as s3rver does for
 * the same keys. The emulator reads no image (it is given no S3 endpoint).
 *
 * Measured, in one run:
 *  - first sync of N objects (default 1,000,000) into an empty dataset: time from the node's start
 *    to the last job created (all accepted) and to the last job finished (all stored), the node's
 *    own duration (it waits for the jobs), peak RSS of the n8n process and its growth over the RSS
 *    at the node's start;
 *  - a re-run after 1% new objects: the same figures;
 *  - today's recipe (example 07: S3 node Search with Return All → Remove Duplicates → Append) at
 *    each size of --recipe-sizes, a first and a second run, until one fails: its time and peak RSS,
 *    or how it failed.
 *
 *   npm run bench -- --only bucket [--bucket-objects N] [--recipe-sizes 50000,100000]
 *     [--bucket-listing-concurrency N]
 */
import { findNode, loadWorkflow, replaceInWorkflow, type WorkflowJson } from '../../e2e/n8n';
import { s3Credential } from '../../e2e/stack';
import {
	generatedBucket,
	startListingStandIn,
	type ListingStandIn,
} from '../../harness/s3-listing';
import type { Ctx } from '../measure';
import { executeSampled, lastBefore, MB, nodeWindow, peak, type BenchExecution } from '../n8n-exec';
import { flag, log as benchLog, round as benchRound } from '../options';
import type { BenchSection, SectionResult, Target } from '../section';

const SYNC_NODE = 'Sync incoming/ to Nucleus';
const FOLDERS = 10;

const OBJECTS = Number(flag('bucket-objects', 'BENCH_BUCKET_OBJECTS', '1000000'));
/** "Folders Listed at Once" of the sync node; empty: the node's default. */
const LISTING_CONCURRENCY = flag(
	'bucket-listing-concurrency',
	'BENCH_BUCKET_LISTING_CONCURRENCY',
	'',
);
const RECIPE_SIZES = flag('recipe-sizes', 'BENCH_RECIPE_SIZES', '50000,100000')
	.split(',')
	.map(Number)
	.filter((n) => n > 0);

const log = (line: string) => benchLog(`bucket_sync: ${line}`);
const round = (n: number) => benchRound(n, 1);
type BucketCtx = Pick<Ctx, 'emu' | 'n8n'>;

/** Time (epoch ms) the last new job of the dataset was created and finished, once all are final. */
async function jobTimes(emu: Ctx['emu'], datasetId: string, earlier: Set<string>) {
	const jobs = emu.listJobs().filter((j) => j.dataset_id === datasetId && !earlier.has(j.job_id));
	let created = NaN;
	let finished = NaN;
	const statuses: Record<string, number> = {};
	for (const j of jobs) {
		const done = await emu.waitForJob(j.job_id);
		const c = Date.parse(j.job_creation_time);
		if (!(c <= created)) created = c;
		const f = done?.finishedAt ? Date.parse(done.finishedAt) : NaN;
		if (!(f <= finished)) finished = f;
		statuses[done?.status ?? 'missing'] = (statuses[done?.status ?? 'missing'] ?? 0) + 1;
	}
	return { jobs: jobs.length, created, finished, statuses };
}

function memory(exec: BenchExecution, win: { start: number; end: number }) {
	const atStart = lastBefore(exec.samples, win.start)?.main ?? 0;
	const top = peak(exec.samples, 'main', win.start, win.end + 200);
	return {
		peak_rss_mb: round(peak(exec.samples, 'main') / MB),
		rss_mb_at_node_start: round(atStart / MB),
		node_growth_mb: round((top - atStart) / MB),
	};
}

/** Example 09 pointed at the dataset and the stand-in, jobs polled every 2 s. */
async function syncWorkflow(id: string, datasetId: string): Promise<WorkflowJson & { id: string }> {
	let wf = await loadWorkflow('09-scheduled-bucket-sync.json');
	wf = replaceInWorkflow(wf, 'ds_REPLACE_WITH_YOUR_DATASET_ID', datasetId);
	wf.id = id;
	findNode(wf, SYNC_NODE).parameters.options = {
		pollInterval: 2,
		...(LISTING_CONCURRENCY ? { listingConcurrency: Number(LISTING_CONCURRENCY) } : {}),
	};
	return wf as WorkflowJson & { id: string };
}

async function syncRun(ctx: BucketCtx, wfId: string, datasetId: string, expectNew: number) {
	const before = ctx.emu.itemCount(datasetId);
	const earlier = new Set(ctx.emu.listJobs().map((j) => j.job_id));
	// BENCH_NODE_OPTIONS reaches this n8n process too (e.g. a --require'd memory probe).
	const extra = process.env.BENCH_NODE_OPTIONS;
	const exec = await executeSampled(ctx.n8n, wfId, {
		timeoutMs: 30 * 60_000,
		...(extra ? { env: { NODE_OPTIONS: extra } } : {}),
	});
	const win = nodeWindow(exec, SYNC_NODE);
	if (exec.status !== 'success' || !win) {
		throw new Error(
			`sync run failed: ${exec.status} ${exec.error?.message ?? ''} ${exec.stderrTail.slice(-500)}`,
		);
	}
	const times = await jobTimes(ctx.emu, datasetId, earlier);
	const summary = (exec.runData[SYNC_NODE]?.[0]?.data?.main?.[0] ?? [])
		.map((i) => i.json as Record<string, unknown>)
		.find((j) => j.type === 'summary');
	const stored = ctx.emu.itemCount(datasetId) - before;
	return {
		objects_listed: summary?.objects_listed,
		new_objects: summary?.new_objects,
		// The node's own split: reading the dataset, listing the bucket (and sending), waiting.
		phase_seconds: summary?.seconds,
		stored,
		items_lost: expectNew - stored,
		jobs: times.jobs,
		job_statuses: times.statuses,
		node_seconds: round((win.end - win.start) / 1000),
		accepted_s: Number.isNaN(times.created) ? 0 : round((times.created - win.start) / 1000),
		stored_s: Number.isNaN(times.finished) ? 0 : round((times.finished - win.start) / 1000),
		...memory(exec, win),
		progress_lines: exec.progressLines,
	};
}

/** Today's recipe: example 07 against the stand-in (n8n's S3 node lists it), two runs. */
async function recipe(ctx: BucketCtx, listing: ListingStandIn, size: number) {
	listing.setSource(generatedBucket({ folders: FOLDERS, perFolder: size / FOLDERS }));
	const datasetId = ctx.emu.createDataset(`bench-recipe-${size}`);
	let wf = await loadWorkflow('07-scheduled-bucket-remote-append.json');
	wf = replaceInWorkflow(wf, 'ds_REPLACE_WITH_YOUR_DATASET_ID', datasetId);
	wf.id = `benchRecipe${size}`;
	await ctx.n8n.importWorkflow(wf);
	const runs: Array<Record<string, unknown>> = [];
	for (const label of ['first', 'second']) {
		const t0 = Date.now();
		let exec: BenchExecution;
		try {
			exec = await executeSampled(ctx.n8n, wf.id, { timeoutMs: 20 * 60_000 });
		} catch (error) {
			runs.push({
				run: label,
				ok: false,
				failure: (error as Error).message.slice(0, 300),
				seconds: round((Date.now() - t0) / 1000),
			});
			break;
		}
		const ok = exec.status === 'success';
		runs.push({
			run: label,
			ok,
			seconds: round((exec.exitedAt - exec.spawnedAt) / 1000),
			peak_rss_mb: round(peak(exec.samples, 'main') / MB),
			stored: ctx.emu.itemCount(datasetId),
			...(ok
				? {}
				: { failure: exec.error?.message?.slice(0, 300) ?? `exit ${String(exec.exitCode)}` }),
		});
		if (!ok) break;
	}
	return { objects: size, runs };
}

export async function bucketSection(
	ctx: BucketCtx,
	opts: { objects: number; recipeSizes: number[] },
) {
	const perFolder = Math.ceil(opts.objects / FOLDERS);
	const listing = await startListingStandIn(generatedBucket({ folders: FOLDERS, perFolder }), {
		pageDelayMs: 50,
	});
	try {
		await ctx.n8n.importCredentials([
			{
				id: 'bucketDemoCred1',
				name: 'Bucket (local s3rver)',
				type: 'scaleNucleusBucketApi',
				data: {
					region: 'us-east-1',
					accessKeyId: 'BENCH',
					secretAccessKey: 'BENCH',
					endpoint: listing.endpoint,
					forcePathStyle: true,
				},
			},
			s3Credential({
				endpoint: listing.endpoint,
				region: 'us-east-1',
				accessKeyId: 'BENCH',
				secretAccessKey: 'BENCH',
			}),
		]);
		const datasetId = ctx.emu.createDataset('bench-bucket-sync');
		const wf = await syncWorkflow('benchBucketSync', datasetId);
		await ctx.n8n.importWorkflow(wf);
		const total = perFolder * FOLDERS;
		log(`first sync of ${total} objects`);
		const first = await syncRun(ctx, wf.id, datasetId, total);
		log(`  ${JSON.stringify(first)}`);
		const grown = Math.round(perFolder * 1.01);
		listing.setSource(generatedBucket({ folders: FOLDERS, perFolder: grown }));
		log(`re-run with ${(grown - perFolder) * FOLDERS} new objects`);
		const rerun = await syncRun(ctx, wf.id, datasetId, (grown - perFolder) * FOLDERS);
		log(`  ${JSON.stringify(rerun)}`);
		const recipes = [];
		for (const size of opts.recipeSizes) {
			log(`today's recipe (example 07) at ${size} objects`);
			const r = await recipe(ctx, listing, size);
			log(`  ${JSON.stringify(r)}`);
			recipes.push(r);
			if (r.runs.some((x) => x.ok === false)) break;
		}
		return {
			objects: total,
			listing_pages_answered: listing.pages(),
			first_sync: first,
			rerun_1pct_new: rerun,
			todays_recipe: recipes,
		};
	} finally {
		await listing.close();
	}
}

type BucketResult = Awaited<ReturnType<typeof bucketSection>>;

function targets(result: SectionResult): Record<string, Target> {
	const r = result as unknown as BucketResult;
	const f = r.first_sync;
	const re = r.rerun_1pct_new;
	return {
		[`first sync of ${r.objects} to all stored < 5 min`]: {
			met: f.stored_s < 300 && f.items_lost === 0,
			value: `${f.stored_s} s`,
		},
		['re-run with 1% new < 90 s (node start to all stored)']: {
			met: Math.max(re.node_seconds, re.stored_s) < 90,
			value: `${Math.max(re.node_seconds, re.stored_s)} s`,
		},
		['n8n peak RSS < 1 GB']: {
			met: Math.max(f.peak_rss_mb, re.peak_rss_mb) < 1024,
			value: `${Math.max(f.peak_rss_mb, re.peak_rss_mb)} MB`,
		},
		['node growth < 300 MB']: {
			met: Math.max(f.node_growth_mb, re.node_growth_mb) < 300,
			value: `${Math.max(f.node_growth_mb, re.node_growth_mb)} MB`,
		},
	};
}

function rows(result: SectionResult): string[][] {
	const r = result as unknown as BucketResult;
	const cells = (figure: string, value: unknown) => [figure, String(value), '', '', '', ''];
	const recipe = r.todays_recipe.map((x) =>
		cells(
			`today's recipe (example 07), ${x.objects} objects`,
			x.runs
				.map((run) =>
					run.ok
						? `${String(run.run)} ${String(run.seconds)} s, ${String(run.peak_rss_mb)} MB`
						: `${String(run.run)} failed: ${String(run.failure)}`,
				)
				.join('; '),
		),
	);
	return [
		cells(`bucket sync ${r.objects}: all accepted (s)`, r.first_sync.accepted_s),
		cells(`bucket sync ${r.objects}: all stored (s)`, r.first_sync.stored_s),
		cells(
			'bucket sync: peak RSS / node growth (MB)',
			`${r.first_sync.peak_rss_mb} / ${r.first_sync.node_growth_mb}`,
		),
		cells(
			'bucket re-run, 1% new: node to all stored (s)',
			Math.max(r.rerun_1pct_new.node_seconds, r.rerun_1pct_new.stored_s),
		),
		cells(
			'bucket re-run: peak RSS / node growth (MB)',
			`${r.rerun_1pct_new.peak_rss_mb} / ${r.rerun_1pct_new.node_growth_mb}`,
		),
		...recipe,
	];
}

export const bucketSync: BenchSection = {
	only: 'bucket',
	key: 'bucket_sync',
	optIn: true,
	usage: [
		'--bucket-objects N (BENCH_BUCKET_OBJECTS, 1000000): objects in the listing stand-in',
		'--recipe-sizes "50000,100000" (BENCH_RECIPE_SIZES): sizes of today\'s recipe, until one fails',
		'--bucket-listing-concurrency N (BENCH_BUCKET_LISTING_CONCURRENCY): Folders Listed at Once',
	],
	run: async (ctx) => await bucketSection(ctx, { objects: OBJECTS, recipeSizes: RECIPE_SIZES }),
	rows,
	targets,
};
