/**
 * The trigger's requests: thin wrappers over shared/api/jobs.ts that return what a poll works with
 * (job observations, details) and say how a 404 and an answer about another job are taken. Answers
 * are checked in shared/api/jobs.ts: a body of the wrong shape fails the poll, so the cursor does
 * not move.
 */
import { NodeApiError, type IPollFunctions } from 'n8n-workflow';

import { getJobErrors, getJobInfo, listJobs, OtherJobAnswerError } from '../shared/api/jobs';
import { JOB_LIST_LIMIT, jobListWarnings } from '../shared/jobs/list';
import {
	applyInfo,
	lacksInfo,
	observeListed,
	type JobObservation,
} from '../shared/jobs/observation';
import type { NucleusClient } from '../shared/transport';
import type { TriggerConfig } from './parameters';

/** Per-job requests (status, errors, info) in flight at once. */
export const DETAIL_CONCURRENCY = 4;

/**
 * The answer of a request about one job, or undefined when Nucleus does not know the job (404): a
 * job deleted with its dataset, or a mistyped Specific Job ID. Any other failure fails the poll.
 */
export async function unless404<T>(request: Promise<T>): Promise<T | undefined> {
	return await request.catch((error: unknown) => {
		if (error instanceof NodeApiError && String(error.httpCode) === '404') return undefined;
		throw error;
	});
}

/**
 * Runs the requests about one job. Resolves to the error when Nucleus answered about another job (the
 * caller skips that job), to undefined when they succeeded; any other failure fails the poll.
 */
export async function answeredAboutOtherJob(
	requests: Promise<void>,
): Promise<OtherJobAnswerError | undefined> {
	return await requests.then(
		() => undefined,
		(error: unknown) => {
			if (error instanceof OtherJobAnswerError) return error;
			throw error;
		},
	);
}

/** `POST jobs/`: the account's (or dataset's) jobs created on or after `fromDate`, as observations. */
export async function listObservedJobs(
	ctx: IPollFunctions,
	client: NucleusClient,
	config: TriggerConfig,
	fromDate: string,
): Promise<JobObservation[]> {
	// Entries of another type or dataset than asked for are left out in shared/api/jobs.ts.
	const listed = await listJobs(client, {
		datasetId: config.datasetId,
		jobTypes: config.jobTypes,
		fromDate,
		toDate: null,
		limit: JOB_LIST_LIMIT,
		showCompleted: true,
	});
	const cut = 'some jobs may be missed. Lower "Lookback (Days)" or watch one dataset.';
	for (const warning of jobListWarnings(listed, 'Scale Nucleus Trigger', cut)) {
		ctx.logger.warn(warning);
	}
	return listed.jobs.map((job) => observeListed(job, config.datasetId));
}

/** `GET job/{id}/errors`, keeping the first `max` texts and the total count. */
export async function getErrors(
	client: NucleusClient,
	jobId: string,
	max: number,
): Promise<{ errors: string[]; errorCount: number }> {
	const parsed = await getJobErrors(client, jobId);
	return { errors: parsed.slice(0, max).map((e) => e.text), errorCount: parsed.length };
}

/** Fills job type, creation time and dataset from `GET job/{id}/info` when the poll does not know them. */
export async function completeInfo(client: NucleusClient, job: JobObservation): Promise<void> {
	if (!lacksInfo(job)) return;
	applyInfo(job, await getJobInfo(client, job.job_id));
}

/** One warning per poll for the Specific Job IDs Nucleus does not know, in the order they were given. */
export function warnUnknown(ctx: IPollFunctions, asked: string[], unknown: string[]): void {
	if (unknown.length === 0) return;
	const missing = new Set(unknown);
	const ids = asked.filter((id) => missing.has(id));
	ctx.logger.warn(
		`Scale Nucleus Trigger: ${ids.length} of the watched job IDs ${ids.length === 1 ? 'is' : 'are'} not known to Nucleus (404) and ${ids.length === 1 ? 'was' : 'were'} skipped: ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ` and ${ids.length - 20} more` : ''}. The other jobs were checked; check "Job IDs" (a job is asked for again on every poll).`,
		{ unknownJobIds: ids.slice(0, 20) },
	);
}

/**
 * One warning per poll for the jobs skipped because Nucleus answered about another job: they are
 * left for the next poll (not recorded), and the other jobs of the poll go on.
 */
export function warnOtherJob(
	ctx: IPollFunctions,
	skipped: ReadonlyArray<{ asked: string; answered: string }>,
): void {
	if (skipped.length === 0) return;
	const shown = skipped.slice(0, 20).map((s) => `${s.asked} (answered about ${s.answered})`);
	const more = skipped.length > 20 ? ` and ${skipped.length - 20} more` : '';
	ctx.logger.warn(
		`Scale Nucleus Trigger: Nucleus answered about another job for ${skipped.length} job${skipped.length === 1 ? '' : 's'}, skipped this poll and asked for again next poll: ${shown.join(', ')}${more}. If this repeats, check the Base URL in the credential.`,
		{ skippedJobIds: skipped.slice(0, 20).map((s) => s.asked) },
	);
}
