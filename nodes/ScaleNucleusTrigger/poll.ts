/**
 * Trigger mode: one poll. The cursor is read from the node's static data (state.ts), what to do with
 * each job is decided by decide.ts, requests go through api.ts, and the items are built by output.ts.
 * The new cursor is written only if every request succeeded, so a failed poll changes nothing; a job
 * whose answer names another job is skipped (left for the next poll) with a warning.
 */
import type { INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { getJobStatus } from '../shared/api/jobs';
import { sortByCreation } from '../shared/jobs/list';
import {
	applyStatus,
	mergeObservations,
	observeStatus,
	type JobObservation,
} from '../shared/jobs/observation';
import { runPool } from '../shared/pool';
import type { NucleusClient } from '../shared/transport';
import {
	answeredAboutOtherJob,
	completeInfo,
	DETAIL_CONCURRENCY,
	getErrors,
	listObservedJobs,
	unless404,
	warnOtherJob,
	warnUnknown,
} from './api';
import {
	applyPoll,
	beginPoll,
	decide,
	missingPendingJobs,
	needsDetails,
	type PollSettings,
} from './decide';
import { outputItems, type JobDetails } from './output';
import type { TriggerConfig } from './parameters';
import { readState, scopeKey, writeState } from './state';

/** Share of n8n's poll budget spent fetching job details; the rest is left to the next poll. */
const BUDGET_SHARE = 0.6;

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
	const conflicting = new Set<string>();
	const details = new Map<string, JobDetails>();
	const dropped: string[] = [];
	const unknown: string[] = [];
	/** Jobs whose answer named another job: not judged this poll. */
	const otherJob: Array<{ asked: string; answered: string }> = [];
	/** Runs the requests about one job; an answer about another job skips that job (true). */
	const skipsOtherJob = async (id: string, requests: () => Promise<void>): Promise<boolean> => {
		const other = await answeredAboutOtherJob(requests());
		if (other) otherJob.push({ asked: id, answered: other.answeredJobId });
		return other !== undefined;
	};

	/**
	 * A job that Nucleus does not know (404) does not fail the poll: a job we were following that no
	 * longer exists (e.g. deleted with its dataset) is dropped; a watched Specific Job ID is skipped
	 * this poll and reported, and asked for again next poll. An answer about another job skips the job
	 * the same way (`skipsOtherJob`). Any other failure (already a NodeApiError from the transport, or
	 * an unexpected answer) fails the poll, so the cursor does not move.
	 */
	const lookUp = async (id: string, whenMissing: 'drop' | 'skip'): Promise<void> => {
		await skipsOtherJob(id, async () => {
			const view = await unless404(getJobStatus(client, id));
			if (!view) {
				(whenMissing === 'drop' ? dropped : unknown).push(id);
				return;
			}
			const created = base.emitted[id]?.[1] || base.pending[id] || null;
			jobs.set(id, observeStatus(id, view, created));
			details.set(id, { view });
		});
	};

	if (config.watch === 'jobIds') {
		// Jobs already recorded in a final status are done; only the others are checked.
		const open = config.jobIds.filter((id) => !base.emitted[id]);
		await runPool(open.length, DETAIL_CONCURRENCY, async (i) => await lookUp(open[i], 'skip'));
		warnUnknown(ctx, open, unknown);
	} else {
		// A job listed twice with different statuses is judged by its own status (GET job/{id}).
		const listed = mergeObservations(await listObservedJobs(ctx, client, config, start.fromDate));
		for (const job of listed.jobs) jobs.set(job.job_id, job);
		for (const id of listed.conflicting) conflicting.add(id);
		const missing = missingPendingJobs(base, jobs.keys());
		await runPool(
			missing.length,
			DETAIL_CONCURRENCY,
			async (i) => await lookUp(missing[i], 'drop'),
		);
	}

	// Oldest first, so that if the time budget runs out the newest jobs are the ones left for the next poll.
	const ordered = sortByCreation([...jobs.values()], (job) => [job.job_id, job.created_at]);
	const deferred = new Set<string>();
	const overBudget = () => Date.now() - startedMs > budgetMs;
	await runPool(ordered.length, DETAIL_CONCURRENCY, async (i) => {
		const job = ordered[i];
		const needsStatus = conflicting.has(job.job_id) || needsDetails(base, init, job, settings);
		const decision = needsStatus ? undefined : decide(base, init, job, settings);
		if (!needsStatus && decision !== 'emit' && decision !== 'progress') return;
		if (overBudget()) {
			deferred.add(job.job_id);
			return;
		}
		const skipped = await skipsOtherJob(job.job_id, async () => {
			const entry = details.get(job.job_id) ?? {};
			if (needsStatus) {
				entry.view = await getJobStatus(client, job.job_id);
				applyStatus(job, entry.view);
			}
			details.set(job.job_id, entry);
			const now = decide(base, init, job, settings);
			if (now !== 'emit' && now !== 'progress') return;
			await completeInfo(client, job);
			if (now === 'emit' && config.maxErrors > 0) {
				Object.assign(entry, await getErrors(client, job.job_id, config.maxErrors));
			}
		});
		// Left for the next poll like a deferred job: not recorded, and the floor stays below it.
		if (skipped) deferred.add(job.job_id);
	});
	warnOtherJob(ctx, otherJob);

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
	const output = events.map((e) => ({
		job: e.job,
		final: e.kind === 'final',
		details: details.get(e.job.job_id),
	}));
	return [ctx.helpers.returnJsonArray(outputItems(config, output))];
}
