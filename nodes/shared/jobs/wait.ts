/**
 * Waiting on AsyncJobs: one polling loop for any number of jobs (a local upload of 1,000 images makes
 * about 100 jobs; they are polled together, a few at a time, not one loop per job).
 *
 * A job is done waiting when it is final (jobs/status.ts: Completed, Cancelled, Errored*; never Queued
 * or Running). The timeout bounds the whole wait: each status request gets the time that is left as
 * its own timeout, so a server that never answers cannot hold the wait past it.
 *
 * Answers that say nothing about the job do not end the wait: network failures, 408, 429 and every
 * 5xx, and 2xx bodies that are not a job status (an HTML page, truncated JSON). Each poll is one
 * attempt and the loop rides them out. A 404 in the first NOT_FOUND_GRACE_MS of the wait is ridden
 * out too, because a job Nucleus has just created may not be visible at once; a 404 after that ends
 * the wait for that job ("could not be read"), as does any other failure (401, 403, 400, an ID that
 * cannot be sent). The other jobs go on either way.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getJobStatus } from '../api/jobs';
import { UnexpectedAnswerError } from '../api/unexpected';
import { runPool } from '../pool';
import { timerDelayMs } from '../timers';
import type { NucleusClient } from '../transport';
import { abortableSleep, makeAbortError } from '../transport';
import type { JobError } from './errors';
import type { JobStatusView } from './status';

/** How long from the start of a wait a 404 means "not visible yet" rather than "no such job". */
export const NOT_FOUND_GRACE_MS = 30_000;

export interface WaitOptions {
	intervalMs: number;
	timeoutMs: number;
	signal?: AbortSignal;
	/** Status requests in flight at once during one polling round (default 8). */
	concurrency?: number;
	itemIndex?: number;
	/** Called after each polling round with the jobs done so far (for progress reports). */
	onRound?: (done: number, total: number) => void;
	/** Default NOT_FOUND_GRACE_MS. */
	notFoundGraceMs?: number;
}

export type JobWaitResult =
	| { state: 'final'; status: JobStatusView }
	| { state: 'timeout'; last?: JobStatusView; lastProblem?: string }
	| { state: 'failed'; error: Error };

type Failure = 'transient' | 'notFound' | 'fatal';

/** What a failed status request means for the wait. */
function classify(error: unknown): Failure {
	if (error instanceof UnexpectedAnswerError) return 'transient';
	if (error instanceof NodeApiError) {
		if (!error.httpCode) return 'transient'; // no HTTP answer: refused, reset, timed out
		const code = Number(error.httpCode);
		if (Number.isNaN(code)) return 'transient';
		if (code === 404) return 'notFound';
		return code === 408 || code === 429 || code >= 500 ? 'transient' : 'fatal';
	}
	return 'fatal';
}

/** Polls every job until it is final, fails to be read, or the timeout passes. Rejects only on cancel. */
export async function waitForJobs(
	client: NucleusClient,
	jobIds: string[],
	options: WaitOptions,
): Promise<Map<string, JobWaitResult>> {
	const started = Date.now();
	const deadline = started + options.timeoutMs;
	const graceMs = options.notFoundGraceMs ?? NOT_FOUND_GRACE_MS;
	const results = new Map<string, JobWaitResult>();
	const last = new Map<string, JobStatusView>();
	const problems = new Map<string, string>();
	/** Jobs whose latest answer was a 404, with that error. */
	const notFound = new Map<string, Error>();
	let pending = [...new Set(jobIds)];
	for (;;) {
		const round = pending;
		await runPool(
			round.length,
			Math.max(1, options.concurrency ?? 8),
			async (k) => {
				const jobId = round[k];
				const remaining = deadline - Date.now();
				if (remaining <= 0) return; // the timeout is reported below
				try {
					const status = await getJobStatus(client, jobId, {
						itemIndex: options.itemIndex,
						retry: false,
						timeoutMs: Math.ceil(timerDelayMs(remaining)),
					});
					last.set(jobId, status);
					problems.delete(jobId);
					notFound.delete(jobId);
					if (status.final) results.set(jobId, { state: 'final', status });
				} catch (error) {
					if (options.signal?.aborted) throw makeAbortError();
					const kind = classify(error);
					if (kind === 'fatal' || (kind === 'notFound' && Date.now() - started >= graceMs)) {
						results.set(jobId, { state: 'failed', error: error as Error });
						return;
					}
					problems.set(jobId, (error as Error).message);
					if (kind === 'notFound') notFound.set(jobId, error as Error);
					else notFound.delete(jobId);
				}
			},
			options.signal,
		);
		if (options.signal?.aborted) throw makeAbortError();
		pending = pending.filter((id) => !results.has(id));
		options.onRound?.(results.size, results.size + pending.length);
		if (pending.length === 0) return results;
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			for (const id of pending) {
				// A job that Nucleus still does not know at the end is reported as unknown, not as slow.
				const missing = notFound.get(id);
				results.set(
					id,
					missing
						? { state: 'failed', error: missing }
						: { state: 'timeout', last: last.get(id), lastProblem: problems.get(id) },
				);
			}
			return results;
		}
		// Never past the deadline, never past what a timer holds (a longer delay would fire at once).
		await abortableSleep(timerDelayMs(options.intervalMs, remaining), options.signal);
	}
}

/** The error for a job that did not finish in time: it names the job, so the user can resume. */
export function timeoutError(
	node: INode,
	jobId: string,
	result: Extract<JobWaitResult, { state: 'timeout' }>,
	timeoutMs: number,
	itemIndex?: number,
): NodeOperationError {
	const status = result.last
		? `last known status ${result.last.status}`
		: 'no status could be read';
	return new NodeOperationError(
		node,
		`Job ${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s (${status})`,
		{
			itemIndex,
			description:
				`The job may still be running in Nucleus. Resume with Job → Wait for Completion and Job ID ${jobId}, or raise the timeout.` +
				(result.lastProblem ? ` Last error while waiting: ${result.lastProblem}` : ''),
		},
	);
}

/** What to tell the user, per operation, when a job gives no result. */
export interface JobFailureHints {
	/** The description when the job could not be read; gets the read's own error. */
	unread: (jobId: string, cause: Error & { description?: string | null }) => string;
	/** The description when the job finished but its error list could not be read. */
	errorsUnread: (jobId: string) => string;
}

/**
 * Why a waited job gives no result, or undefined when it does: it timed out, could not be read,
 * or (where its errors were asked for) finished but its error list could not be read. One place
 * for the messages of Append, Update Metadata and Job → Wait for Completion; each says what to do
 * next in its own words (`hints`).
 */
export function jobFailure(
	node: INode,
	jobId: string,
	outcome: JobWaitResult,
	errors: JobError[] | Error | undefined,
	options: {
		timeoutMs: number;
		errorsRequired: boolean;
		hints: JobFailureHints;
		itemIndex?: number;
	},
): NodeOperationError | undefined {
	const { timeoutMs, hints, itemIndex } = options;
	if (outcome.state === 'timeout') return timeoutError(node, jobId, outcome, timeoutMs, itemIndex);
	if (outcome.state === 'failed') {
		const cause = outcome.error as Error & { description?: string | null };
		return new NodeOperationError(node, `Job ${jobId} could not be read: ${cause.message}`, {
			itemIndex,
			description: hints.unread(jobId, cause),
		});
	}
	if (!options.errorsRequired || Array.isArray(errors)) return undefined;
	return new NodeOperationError(
		node,
		`Job ${jobId} finished ${outcome.status.status}, but its errors could not be read: ${errors?.message ?? 'no answer'}`,
		{ itemIndex, description: hints.errorsUnread(jobId) },
	);
}

/** Waits on one job; throws when it does not become final (timeout, or it cannot be read). */
export async function waitForJob(
	node: INode,
	client: NucleusClient,
	jobId: string,
	options: WaitOptions,
): Promise<JobStatusView> {
	const result = (await waitForJobs(client, [jobId], options)).get(jobId)!;
	if (result.state === 'final') return result.status;
	if (result.state === 'timeout')
		throw timeoutError(node, jobId, result, options.timeoutMs, options.itemIndex);
	throw result.error;
}
