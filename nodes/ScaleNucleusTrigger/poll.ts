import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import {
	JOB_LIST_LIMIT,
	getJobErrors,
	getJobInfo,
	getJobStatus,
	listJobs as listJobsRequest,
} from '../shared/api/jobs';
import { datasetIdProblem, jobIdProblem } from '../shared/api/paths';
import { isSuccessStatus, type JobStatusView } from '../shared/jobs/status';
import { checkNumber } from '../shared/options';
import { runPool } from '../shared/pool';
import type { NucleusClient } from '../shared/transport';
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
import { MAX_ERRORS_PER_JOB, MAX_LOOKBACK_DAYS } from './description';
import { OUTPUT_SHAPES, summarizeByDataset, type FinishedJob, type OutputShape } from './summary';

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
		// A typo would list no job, silently, on every poll.
		const problem = datasetIdProblem(datasetId);
		if (problem) {
			throw new NodeOperationError(node, problem.message, {
				description: `${problem.description} The trigger sent no request.`,
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
		// Checked here, so a malformed ID fails the activation with its name, and none is sent in a path.
		for (const id of jobIds) {
			const problem = jobIdProblem(id);
			if (problem) {
				throw new NodeOperationError(node, `Job IDs: ${problem.message}`, {
					description: `${problem.description} The trigger sent no request.`,
				});
			}
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
		throw new NodeOperationError(node, 'Nothing to emit: no status is chosen in "Trigger On"', {
			description:
				'Choose at least one final status in "Trigger On", or turn on the "Emit Progress" option.',
		});
	}
	const output = options.output ?? 'job';
	if (!(OUTPUT_SHAPES as readonly unknown[]).includes(output)) {
		throw new NodeOperationError(node, `Unknown Output value "${String(output)}"`, {
			description: 'Choose "One Item per Job" or "One Summary per Dataset" in the Output option.',
		});
	}
	const number = (name: string, label: string, fallback: number, max: number) =>
		checkNumber(
			node,
			options[name],
			`Option ${label}`,
			fallback,
			{ min: 0, max, whole: true },
			{
				description: 'The trigger sent no request.',
			},
		);
	return {
		watch,
		datasetId,
		jobIds,
		jobTypes,
		emitOn,
		emitProgress,
		emitHistory: options.emitHistory === true,
		lookbackDays: number('lookbackDays', 'Lookback (Days)', 2, MAX_LOOKBACK_DAYS),
		maxErrors: number('maxErrors', 'Max Errors per Job', 100, MAX_ERRORS_PER_JOB),
		output: output as OutputShape,
	};
}

function is404(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}

/** One warning per poll for the Specific Job IDs Nucleus does not know, in the order they were given. */
function warnUnknown(ctx: IPollFunctions, asked: string[], unknown: string[]): void {
	if (unknown.length === 0) return;
	const missing = new Set(unknown);
	const ids = asked.filter((id) => missing.has(id));
	ctx.logger.warn(
		`Scale Nucleus Trigger: ${ids.length} of the watched job IDs ${ids.length === 1 ? 'is' : 'are'} not known to Nucleus (404) and ${ids.length === 1 ? 'was' : 'were'} skipped: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ` and ${ids.length - 20} more` : ''}. The other jobs were checked; check "Job IDs" (a job is asked for again on every poll).`,
		{ unknownJobIds: ids.slice(0, 20) },
	);
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
	// The answer is checked in shared/api/jobs.ts: a body that is not a list fails the poll, and
	// entries of another type or dataset than asked for are left out there.
	const listed = await listJobsRequest(client, {
		datasetId: config.datasetId,
		jobTypes: config.jobTypes,
		fromDate,
		toDate: null,
		limit: JOB_LIST_LIMIT,
		showCompleted: true,
	});
	if (listed.skipped > 0) {
		ctx.logger.warn(
			`Scale Nucleus Trigger: ${listed.skipped} entr${listed.skipped === 1 ? 'y' : 'ies'} of the job list (POST jobs/) had no usable job ID and were skipped (${listed.firstSkipped})`,
		);
	}
	if (listed.reachedLimit) {
		ctx.logger.warn(
			`Scale Nucleus Trigger: the job list reached its limit of ${JOB_LIST_LIMIT} jobs; some jobs may be missed. Lower "Lookback (Days)" or watch one dataset.`,
		);
	}
	return listed.jobs.map((job) => ({
		job_id: job.job_id,
		status: job.status,
		created_at: toIso(job.job_creation_time),
		job_type: job.job_type,
		dataset_id: job.dataset_id ?? config.datasetId,
	}));
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
	const info = await getJobInfo(client, job.job_id);
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
	const unknown: string[] = [];
	if (config.watch === 'jobIds') {
		candidates = [];
		await runPool(config.jobIds.length, DETAIL_CONCURRENCY, async (i) => {
			const id = config.jobIds[i];
			const info = await getJobInfo(client, id).catch((error: unknown) => {
				if (is404(error)) return undefined;
				throw error;
			});
			if (!info) {
				unknown.push(id);
				return;
			}
			candidates.push({
				job_id: id,
				status:
					typeof info.job_last_known_status === 'string' ? info.job_last_known_status.trim() : '',
				created_at: toIso(info.job_creation_time),
				job_type: typeof info.job_type === 'string' ? info.job_type : null,
				dataset_id: typeof info.dataset_id === 'string' ? info.dataset_id : null,
			});
		});
		warnUnknown(ctx, config.jobIds, unknown);
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
				? `among the given job IDs${unknown.length ? ` (${unknown.length} of them not known to Nucleus: ${unknown.slice(0, 5).join(', ')})` : ''}`
				: `in the last ${Math.max(config.lookbackDays, SAMPLE_DAYS)} days${config.datasetId ? ` of dataset ${config.datasetId}` : ''}`;
		throw new NodeOperationError(ctx.getNode(), `No finished job found ${where}`, {
			description:
				'Fetch Test Event shows the newest job that matches Watch, Job Types and Trigger On. Start a job (for example an Append) and fetch again, or widen the filters.',
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
	const unknown: string[] = [];

	/**
	 * A job that Nucleus does not know (404) does not fail the poll: a job we were following that no
	 * longer exists (e.g. deleted with its dataset) is dropped; a watched Specific Job ID is skipped
	 * this poll and reported, and asked for again next poll. Any other failure (already a NodeApiError
	 * from the transport, or an unexpected answer) fails the poll, so the cursor does not move.
	 */
	const lookUp = async (id: string, whenMissing: 'drop' | 'skip') => {
		const view = await getJobStatus(client, id).catch((error: unknown) => {
			if (is404(error)) return undefined;
			throw error;
		});
		if (!view) {
			(whenMissing === 'drop' ? dropped : unknown).push(id);
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
		await runPool(open.length, DETAIL_CONCURRENCY, async (i) => await lookUp(open[i], 'skip'));
		warnUnknown(ctx, open, unknown);
	} else {
		for (const job of await listJobs(ctx, client, config, start.fromDate))
			jobs.set(job.job_id, job);
		const missing = missingPendingJobs(base, jobs.keys());
		await runPool(
			missing.length,
			DETAIL_CONCURRENCY,
			async (i) => await lookUp(missing[i], 'drop'),
		);
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
