import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import { isSuccessStatus, type JobStatusView } from '../shared/jobs/status';
import { runPool } from '../shared/pool';
import { encodePathSegment, type NucleusClient } from '../shared/transport';
import type { AsyncJobInfo } from '../shared/api/types';
import { getJobErrors, getJobStatus } from '../shared/api/jobs';
import {
	EMIT_ON_VALUES,
	MAX_EMITTED,
	applyPoll,
	beginPoll,
	decide,
	emitCategory,
	missingPendingJobs,
	needsDetails,
	parseJobIds,
	readState,
	scopeKey,
	toIso,
	writeState,
	type EmitOnValue,
	type JobObservation,
	type PollSettings,
	type WatchMode,
} from './cursor';
import { OUTPUT_SHAPES, summarizeByDataset, type FinishedJob, type OutputShape } from './summary';

/** `POST jobs/` returns at most this many jobs (the SDK's JOB_REQ_LIMIT). */
const JOB_LIST_LIMIT = 50_000;
/** Per-job requests (status, errors, info) in flight at once. */
const DETAIL_CONCURRENCY = 4;
/** Share of n8n's poll budget spent fetching job details; the rest is left to the next poll. */
const BUDGET_SHARE = 0.6;
/** Manual "Fetch test event" looks this far back at least. */
const SAMPLE_DAYS = 30;

export interface TriggerConfig {
	watch: WatchMode;
	datasetId: string | null;
	jobIds: string[];
	jobTypes: string[];
	emitOn: EmitOnValue[];
	emitProgress: boolean;
	emitHistory: boolean;
	lookbackDays: number;
	maxErrors: number;
	output: OutputShape;
}

interface JobDetails {
	view?: JobStatusView;
	errors?: string[];
	errorCount?: number;
}

export function readConfig(ctx: IPollFunctions): TriggerConfig {
	const node = ctx.getNode();
	const watch = ctx.getNodeParameter('watch', 'all') as WatchMode;
	if (watch !== 'all' && watch !== 'dataset' && watch !== 'jobIds') {
		throw new NodeOperationError(node, `Unknown Watch value "${String(watch)}"`);
	}
	let datasetId: string | null = null;
	if (watch === 'dataset') {
		datasetId = String(ctx.getNodeParameter('datasetId', '', { extractValue: true }) ?? '').trim();
		if (!datasetId) {
			throw new NodeOperationError(node, 'Choose the dataset whose jobs to watch', {
				description: 'Pick a dataset in "Dataset", or set Watch to "All Jobs of the Account".',
			});
		}
	}
	let jobIds: string[] = [];
	if (watch === 'jobIds') {
		jobIds = parseJobIds(ctx.getNodeParameter('jobIds', ''));
		if (jobIds.length === 0) {
			throw new NodeOperationError(node, 'Enter at least one job ID to watch', {
				description:
					'Job IDs look like job_c4rmsk8arvzg0cqkc6e0; Append Items returns them as job_id.',
			});
		}
		if (jobIds.length > MAX_EMITTED) {
			throw new NodeOperationError(
				node,
				`Too many job IDs (${jobIds.length}); watch at most ${MAX_EMITTED}`,
				{
					description: 'Watch the dataset (or all jobs) instead, filtered by job type.',
				},
			);
		}
	}
	const jobTypes =
		watch === 'jobIds'
			? []
			: [
					...new Set(
						(ctx.getNodeParameter('jobTypes', []) as string[]).filter(
							(t) => typeof t === 'string' && t,
						),
					),
				];
	const emitOn = (ctx.getNodeParameter('emitOn', [...EMIT_ON_VALUES]) as string[]).filter(
		(v): v is EmitOnValue => (EMIT_ON_VALUES as readonly string[]).includes(v),
	);
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const emitProgress = options.emitProgress === true;
	if (emitOn.length === 0 && !emitProgress) {
		throw new NodeOperationError(node, 'Nothing to emit: no status is chosen in "Emit On"', {
			description:
				'Choose at least one final status in "Emit On", or turn on the "Emit Progress" option.',
		});
	}
	const output = options.output ?? 'job';
	if (!(OUTPUT_SHAPES as readonly unknown[]).includes(output)) {
		throw new NodeOperationError(node, `Unknown Output value "${String(output)}"`, {
			description: 'Choose "One Item per Job" or "One Summary per Dataset" in the Output option.',
		});
	}
	const number = (value: unknown, fallback: number, min: number, max: number) => {
		const n = typeof value === 'number' && Number.isFinite(value) ? Math.floor(value) : fallback;
		return Math.min(max, Math.max(min, n));
	};
	return {
		watch,
		datasetId,
		jobIds,
		jobTypes,
		emitOn,
		emitProgress,
		emitHistory: options.emitHistory === true,
		lookbackDays: number(options.lookbackDays, 2, 0, 31),
		maxErrors: number(options.maxErrors, 100, 0, 10_000),
		output: output as OutputShape,
	};
}

function is404(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}

function dayString(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** `POST jobs/`: the account's (or dataset's) jobs created on or after `fromDate`, as observations. */
async function listJobs(
	ctx: IPollFunctions,
	client: NucleusClient,
	config: TriggerConfig,
	fromDate: string,
): Promise<JobObservation[]> {
	const raw = await client.request<unknown>('POST', 'jobs/', {
		kind: 'read',
		json: {
			dataset_id: config.datasetId,
			job_types: config.jobTypes,
			from_date: fromDate,
			to_date: null,
			limit: JOB_LIST_LIMIT,
			show_completed: true,
		},
	});
	if (!Array.isArray(raw)) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Nucleus returned an unexpected answer to the job list (POST jobs/)',
			{
				description: 'Expected a JSON array of jobs. Check the Base URL in the credential.',
			},
		);
	}
	if (raw.length >= JOB_LIST_LIMIT) {
		ctx.logger.warn(
			`Scale Nucleus Trigger: the job list reached its limit of ${JOB_LIST_LIMIT} jobs; some jobs may be missed. Lower "Lookback (Days)" or watch one dataset.`,
		);
	}
	const types = new Set(config.jobTypes);
	const jobs: JobObservation[] = [];
	for (const entry of raw as Array<Partial<AsyncJobInfo>>) {
		if (!entry || typeof entry.job_id !== 'string') continue;
		const status =
			typeof entry.job_last_known_status === 'string' ? entry.job_last_known_status.trim() : '';
		const jobType = typeof entry.job_type === 'string' ? entry.job_type : null;
		// The server filters too; these guards keep the trigger correct if a filter is ignored.
		if (types.size > 0 && jobType !== null && !types.has(jobType)) continue;
		const datasetId = typeof entry.dataset_id === 'string' ? entry.dataset_id : null;
		if (config.datasetId && datasetId !== null && datasetId !== config.datasetId) continue;
		jobs.push({
			job_id: entry.job_id,
			status,
			created_at: toIso(entry.job_creation_time),
			job_type: jobType,
			dataset_id: datasetId ?? config.datasetId,
		});
	}
	return jobs;
}

/** `GET job/{id}/errors`, keeping the first `max` texts and the total count. */
async function getErrors(
	client: NucleusClient,
	jobId: string,
	max: number,
): Promise<{ errors: string[]; errorCount: number }> {
	const parsed = await getJobErrors(client, jobId);
	return { errors: parsed.slice(0, max).map((e) => e.text), errorCount: parsed.length };
}

/** Fills job type, creation time and dataset from `GET job/{id}/info` when the poll does not know them. */
async function completeInfo(client: NucleusClient, job: JobObservation): Promise<void> {
	if (job.job_type !== null && job.created_at !== null) return;
	const info =
		(await client.request<Partial<AsyncJobInfo>>(
			'GET',
			`job/${encodePathSegment(job.job_id)}/info`,
		)) ?? {};
	if (job.job_type === null && typeof info.job_type === 'string') job.job_type = info.job_type;
	if (job.created_at === null) job.created_at = toIso(info.job_creation_time);
	if (job.dataset_id === null && typeof info.dataset_id === 'string')
		job.dataset_id = info.dataset_id;
}

function toItem(job: JobObservation, final: boolean, details: JobDetails | undefined): IDataObject {
	const view = details?.view;
	const fetchedErrors = details?.errors !== undefined;
	return {
		job_id: job.job_id,
		dataset_id: job.dataset_id,
		job_type: job.job_type,
		status: job.status,
		succeeded: isSuccessStatus(job.status),
		final,
		progress: view?.progress ?? job.progress ?? null,
		completed_steps: view?.completed_steps ?? null,
		total_steps: view?.total_steps ?? null,
		message: (view?.message ?? null) as IDataObject | null,
		created_at: job.created_at,
		errors: details?.errors ?? [],
		error_count: fetchedErrors ? (details?.errorCount ?? 0) : null,
		errors_truncated: fetchedErrors
			? (details?.errorCount ?? 0) > (details?.errors?.length ?? 0)
			: false,
	};
}

/**
 * The items of a poll: one per event, or with "One Summary per Dataset" one summary per dataset of
 * the finished jobs (in the order of their oldest job) followed by the progress items, one per job.
 */
function shapeOutput(config: TriggerConfig, items: IDataObject[]): IDataObject[] {
	if (config.output !== 'datasetSummary') return items;
	const finished: FinishedJob[] = items
		.filter((i) => i.final === true)
		.map((i) => ({
			job_id: String(i.job_id),
			dataset_id: typeof i.dataset_id === 'string' ? i.dataset_id : null,
			status: String(i.status),
			errors: Array.isArray(i.errors) ? (i.errors as string[]) : [],
			error_count: typeof i.error_count === 'number' ? i.error_count : null,
		}));
	const progress = items.filter((i) => i.final !== true);
	return [...summarizeByDataset(finished, config.maxErrors), ...progress];
}

/** Manual mode ("Fetch test event"): the newest matching finished job, read-only. */
export async function fetchSample(
	ctx: IPollFunctions,
	client: NucleusClient,
	config: TriggerConfig,
): Promise<INodeExecutionData[][]> {
	let candidates: JobObservation[];
	if (config.watch === 'jobIds') {
		candidates = [];
		await runPool(config.jobIds.length, DETAIL_CONCURRENCY, async (i) => {
			const id = config.jobIds[i];
			const info =
				(await client.request<Partial<AsyncJobInfo>>('GET', `job/${encodePathSegment(id)}/info`)) ??
				{};
			candidates.push({
				job_id: id,
				status:
					typeof info.job_last_known_status === 'string' ? info.job_last_known_status.trim() : '',
				created_at: toIso(info.job_creation_time),
				job_type: typeof info.job_type === 'string' ? info.job_type : null,
				dataset_id: typeof info.dataset_id === 'string' ? info.dataset_id : null,
			});
		});
	} else {
		const days = Math.max(config.lookbackDays, SAMPLE_DAYS);
		candidates = await listJobs(ctx, client, config, dayString(Date.now() - days * 86_400_000));
	}
	const newestFirst = (list: JobObservation[]) =>
		[...list].sort(
			(a, b) =>
				(b.created_at ?? '').localeCompare(a.created_at ?? '') || b.job_id.localeCompare(a.job_id),
		);
	const finished = newestFirst(
		candidates.filter((j) => {
			const category = emitCategory(j.status);
			return category !== undefined && config.emitOn.includes(category);
		}),
	);
	const running = config.emitProgress
		? newestFirst(candidates.filter((j) => !emitCategory(j.status)))
		: [];
	const sample = finished[0] ?? running[0];
	if (!sample) {
		const where =
			config.watch === 'jobIds'
				? 'among the given job IDs'
				: `in the last ${Math.max(config.lookbackDays, SAMPLE_DAYS)} days${config.datasetId ? ` of dataset ${config.datasetId}` : ''}`;
		throw new NodeOperationError(ctx.getNode(), `No finished job found ${where}`, {
			description:
				'Fetch Test Event shows the newest job that matches Watch, Job Types and Emit On. Start a job (for example Append Items with "asynchronous") and fetch again, or widen the filters.',
		});
	}
	const view = await getJobStatus(client, sample.job_id);
	const job: JobObservation = { ...sample, status: view.status, progress: view.progress };
	await completeInfo(client, job);
	const details: JobDetails = { view };
	const final = emitCategory(job.status) !== undefined;
	if (final && config.maxErrors > 0)
		Object.assign(details, await getErrors(client, job.job_id, config.maxErrors));
	return [ctx.helpers.returnJsonArray(shapeOutput(config, [toItem(job, final, details)]))];
}

/** Trigger mode: one poll with the cursor in the node's static data (written only if every request succeeded). */
export async function pollJobs(
	ctx: IPollFunctions,
	client: NucleusClient,
	config: TriggerConfig,
): Promise<INodeExecutionData[][] | null> {
	const startedMs = Date.now();
	const budgetMs =
		(typeof ctx.getPollBudgetMs === 'function' ? ctx.getPollBudgetMs() : 5 * 60_000) * BUDGET_SHARE;
	const staticData = ctx.getWorkflowStaticData('node');
	const settings: PollSettings = {
		scope: scopeKey(config.watch, config),
		emitOn: config.emitOn,
		emitProgress: config.emitProgress,
		emitHistory: config.emitHistory,
		lookbackDays: config.lookbackDays,
		windowed: config.watch !== 'jobIds',
		watchedIds: config.watch === 'jobIds' ? config.jobIds : undefined,
	};
	const start = beginPoll(readState(staticData), settings, new Date(startedMs));
	const { base, init } = start;

	const jobs = new Map<string, JobObservation>();
	const details = new Map<string, JobDetails>();
	const dropped: string[] = [];

	const lookUp = async (id: string, dropIfGone: boolean) => {
		// A job we were following that no longer exists (404, e.g. deleted with its dataset) is dropped;
		// any other failure (already a NodeApiError from the transport) fails the poll.
		const view = await getJobStatus(client, id).catch((error: unknown) => {
			if (dropIfGone && is404(error)) return undefined;
			throw error;
		});
		if (!view) {
			dropped.push(id);
			return;
		}
		const created = base.emitted[id]?.[1] || base.pending[id] || null;
		jobs.set(id, {
			job_id: id,
			status: view.status,
			created_at: created,
			job_type: null,
			dataset_id: null,
			progress: view.progress,
		});
		details.set(id, { view });
	};

	if (config.watch === 'jobIds') {
		// Jobs already recorded in a final status are done; only the others are checked.
		const open = config.jobIds.filter((id) => !base.emitted[id]);
		await runPool(open.length, DETAIL_CONCURRENCY, async (i) => await lookUp(open[i], false));
	} else {
		for (const job of await listJobs(ctx, client, config, start.fromDate))
			jobs.set(job.job_id, job);
		const missing = missingPendingJobs(base, jobs.keys());
		await runPool(missing.length, DETAIL_CONCURRENCY, async (i) => await lookUp(missing[i], true));
	}

	// Oldest first, so that if the time budget runs out the newest jobs are the ones left for the next poll.
	const ordered = [...jobs.values()].sort(
		(a, b) =>
			(a.created_at ?? '\uffff').localeCompare(b.created_at ?? '\uffff') ||
			a.job_id.localeCompare(b.job_id),
	);
	const deferred = new Set<string>();
	const overBudget = () => Date.now() - startedMs > budgetMs;
	await runPool(ordered.length, DETAIL_CONCURRENCY, async (i) => {
		const job = ordered[i];
		const needsStatus = needsDetails(base, init, job, settings);
		const decision = needsStatus ? undefined : decide(base, init, job, settings);
		if (!needsStatus && decision !== 'emit' && decision !== 'progress') return;
		if (overBudget()) {
			deferred.add(job.job_id);
			return;
		}
		const entry = details.get(job.job_id) ?? {};
		if (needsStatus) {
			entry.view = await getJobStatus(client, job.job_id);
			job.status = entry.view.status; // GET job/{id} is authoritative over the list
			job.progress = entry.view.progress;
		}
		details.set(job.job_id, entry);
		const now = decide(base, init, job, settings);
		if (now !== 'emit' && now !== 'progress') return;
		await completeInfo(client, job);
		if (now === 'emit' && config.maxErrors > 0) {
			Object.assign(entry, await getErrors(client, job.job_id, config.maxErrors));
		}
	});

	const { state, events } = applyPoll(
		start,
		ordered.filter((j) => !deferred.has(j.job_id)),
		dropped,
		settings,
		ordered.filter((j) => deferred.has(j.job_id)),
	);
	if (deferred.size > 0) {
		ctx.logger.info(
			`Scale Nucleus Trigger: ${deferred.size} job(s) left for the next poll (poll time budget reached)`,
		);
	}
	// Every request succeeded: only now does the cursor move.
	writeState(staticData, state);

	if (events.length === 0) return null;
	const items = events.map((e) => toItem(e.job, e.kind === 'final', details.get(e.job.job_id)));
	return [ctx.helpers.returnJsonArray(shapeOutput(config, items))];
}
