import type { IDataObject, INode } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { asNodeError } from './errors';
import { normalizeJobStatus, parseJobErrors, type JobStatusView } from './jobs';
import type { NucleusClient } from './transport';
import { abortableSleep, encodePathSegment, isRetryableStatus } from './transport';

export type { JobStatusView };

/** The job status as an output item's json. */
export function jobStatusJson(status: JobStatusView): IDataObject {
	return { ...status } as unknown as IDataObject;
}

export interface WaitOptions {
	intervalMs: number;
	timeoutMs: number;
	signal?: AbortSignal;
	itemIndex?: number;
}

export async function getJobStatus(
	client: NucleusClient,
	jobId: string,
	itemIndex?: number,
	retry = true,
) {
	const raw = await client.request('GET', `job/${encodePathSegment(jobId)}`, { itemIndex, retry });
	return normalizeJobStatus(raw, jobId);
}

export async function getJobErrors(client: NucleusClient, jobId: string, itemIndex?: number) {
	const raw = await client.request('GET', `job/${encodePathSegment(jobId)}/errors`, { itemIndex });
	return parseJobErrors(raw);
}

/** A failure that waiting can ride out: the API is briefly unreachable, rate limited or overloaded. */
function isTransient(error: unknown): boolean {
	if (error instanceof NodeApiError) {
		const code = Number(error.httpCode);
		return !error.httpCode || Number.isNaN(code) || isRetryableStatus(code);
	}
	return false;
}

/**
 * Polls `GET job/{id}` until the job is final (Completed, Cancelled or Errored*; Queued and
 * Running are never final). Outages and 429/5xx while waiting do not end the wait; only the
 * timeout does, with an error that names the job so the user can resume waiting on it.
 */
export async function waitForJob(
	node: INode,
	client: NucleusClient,
	jobId: string,
	options: WaitOptions,
): Promise<JobStatusView> {
	const deadline = Date.now() + options.timeoutMs;
	let last: JobStatusView | undefined;
	let lastProblem: string | undefined;
	for (;;) {
		try {
			// One attempt per poll: this loop rides out outages itself, so the timeout stays exact.
			last = await getJobStatus(client, jobId, options.itemIndex, false);
			lastProblem = undefined;
			if (last.final) return last;
		} catch (error) {
			if (!isTransient(error) || options.signal?.aborted)
				throw asNodeError(node, error, options.itemIndex);
			lastProblem = (error as Error).message;
		}
		const remaining = deadline - Date.now();
		if (remaining <= 0) {
			const status = last ? `last known status ${last.status}` : 'no status could be read';
			throw new NodeOperationError(
				node,
				`Job ${jobId} did not finish within ${Math.round(options.timeoutMs / 1000)} s (${status})`,
				{
					itemIndex: options.itemIndex,
					description:
						`The job may still be running in Nucleus. Resume with Job → Wait for Completion and Job ID ${jobId}, or raise the timeout.` +
						(lastProblem ? ` Last error while waiting: ${lastProblem}` : ''),
				},
			);
		}
		await abortableSleep(Math.min(options.intervalMs, remaining), options.signal);
	}
}
