/**
 * Waiting on AsyncJobs: one polling loop for any number of jobs (a local upload of 1,000 images makes
 * about 100 jobs; they are polled together, a few at a time, not one loop per job).
 *
 * A job is done waiting when it is final (jobs/status.ts: Completed, Cancelled, Errored*; never Queued
 * or Running). Outages, 429 and 5xx while waiting do not end the wait: each poll is one attempt and
 * the loop itself rides them out, so the timeout is exact. A job that cannot be read for another
 * reason (401, 404, an unreadable answer) stops being polled and is reported as failed; the others
 * go on.
 */
import type { INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { getJobStatus } from '../api/jobs';
import { runPool } from '../pool';
import type { NucleusClient } from '../transport';
import { abortableSleep, isRetryableStatus, makeAbortError } from '../transport';
import type { JobStatusView } from './status';

export interface WaitOptions {
	intervalMs: number;
	timeoutMs: number;
	signal?: AbortSignal;
	/** Status requests in flight at once during one polling round (default 8). */
	concurrency?: number;
	itemIndex?: number;
	/** Called after each polling round with the jobs done so far (for progress reports). */
	onRound?: (done: number, total: number) => void;
}

export type JobWaitResult =
	| { state: 'final'; status: JobStatusView }
	| { state: 'timeout'; last?: JobStatusView; lastProblem?: string }
	| { state: 'failed'; error: Error };

/** A failure that waiting can ride out: the API is briefly unreachable, rate limited or overloaded. */
function isTransient(error: unknown): boolean {
	if (error instanceof NodeApiError) {
		const code = Number(error.httpCode);
		return !error.httpCode || Number.isNaN(code) || isRetryableStatus(code);
	}
	return false;
}

/** Polls every job until it is final, fails to be read, or the timeout passes. Rejects only on cancel. */
export async function waitForJobs(
	client: NucleusClient,
	jobIds: string[],
	options: WaitOptions,
): Promise<Map<string, JobWaitResult>> {
	const deadline = Date.now() + options.timeoutMs;
	const results = new Map<string, JobWaitResult>();
	const last = new Map<string, JobStatusView>();
	const problems = new Map<string, string>();
	let pending = [...new Set(jobIds)];
	for (;;) {
		const round = pending;
		await runPool(
			round.length,
			Math.max(1, options.concurrency ?? 8),
			async (k) => {
				const jobId = round[k];
				try {
					const status = await getJobStatus(client, jobId, {
						itemIndex: options.itemIndex,
						retry: false,
					});
					last.set(jobId, status);
					problems.delete(jobId);
					if (status.final) results.set(jobId, { state: 'final', status });
				} catch (error) {
					if (options.signal?.aborted) throw makeAbortError();
					if (isTransient(error)) problems.set(jobId, (error as Error).message);
					else results.set(jobId, { state: 'failed', error: error as Error });
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
				results.set(id, { state: 'timeout', last: last.get(id), lastProblem: problems.get(id) });
			}
			return results;
		}
		await abortableSleep(Math.min(options.intervalMs, remaining), options.signal);
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
