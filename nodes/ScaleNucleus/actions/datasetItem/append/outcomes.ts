/**
 * Step 6 of Append, outcomes: what happened to each item. `itemOutcomes` follows the jobs when the
 * run waits (thin I/O: shared/jobs/wait.ts) and judges each item with the pure functions below.
 *
 * An item is reported stored only when a count or a finished job says so: `new`, `updated` or
 * `ignored` where the answer tells (pre-2026 counts), `appended` where a job finished without naming
 * it in its errors. `failed` carries the error. `unconfirmed` is for the items the answers leave open
 * (a job that failed partly with errors that name no item, counts that do not add up): check them
 * with Dataset Item → Get. `already_present` is for the items Skip Items Already in Dataset did not
 * send because the dataset held their reference ID (skipPresent.ts): stored, and left as they were,
 * like `ignored`, but known before sending rather than from Nucleus' counts.
 */
import type { INode } from 'n8n-workflow';

import type { AppendAnswer, AppendCounts } from '../../../../shared/api/answers';
import { getErrorsOfJobs } from '../../../../shared/api/jobs';
import { mapErrorsToItems, type JobError } from '../../../../shared/jobs/errors';
import type { JobStatusView } from '../../../../shared/jobs/status';
import { jobFailure, waitForJobs, type JobFailureHints } from '../../../../shared/jobs/wait';
import type { NucleusClient } from '../../../../shared/transport';
import { itemsByJob } from '../shared/itemsByJob';
import type { PlannedItem } from './plan';
import type { AppendProgress } from './progress';
import type { SentBatch } from './send';
import type { AppendSettings } from './settings';

export type Outcome =
	| 'new'
	| 'updated'
	| 'ignored'
	| 'appended'
	| 'already_present'
	| 'failed'
	| 'unconfirmed';

export interface ItemOutcome {
	itemIndex: number;
	reference_id: string;
	dataset_id: string;
	image_url: string;
	outcome: Outcome;
	succeeded: boolean;
	error?: string;
	job_id?: string;
	job_status?: string;
}

function result(
	item: PlannedItem,
	outcome: Outcome,
	extra: Partial<ItemOutcome> = {},
): ItemOutcome {
	return {
		itemIndex: item.itemIndex,
		reference_id: item.payload.reference_id,
		dataset_id: item.datasetId,
		image_url: item.payload.image_url,
		outcome,
		succeeded: outcome !== 'failed' && outcome !== 'unconfirmed',
		...extra,
	};
}

/** Items not sent because the dataset already held their reference ID: no job, nothing changed. */
export function outcomesAlreadyPresent(items: PlannedItem[]): ItemOutcome[] {
	return items.map((p) => result(p, 'already_present'));
}

/**
 * Per-item outcomes from the counts of a pre-2026 synchronous answer (SDK v0.18.8, nucleus/upload_response.py). The
 * counts are per request: the category is exact when every accepted item fell in one, else
 * `appended`. Failures are attributed by the `error_payload` entries' reference IDs; failures the
 * answer counts but does not list leave the batch's other items `unconfirmed` (a one-item request
 * is then `failed`).
 */
export function outcomesFromCounts(counts: AppendCounts, items: PlannedItem[]): ItemOutcome[] {
	const failed = new Map<string, string>();
	for (const entry of counts.error_payload) {
		const ref = entry.reference_id ?? entry.ref_id;
		if (typeof ref === 'string') {
			failed.set(ref, typeof entry.error === 'string' ? entry.error : 'Nucleus rejected the item');
		}
	}
	const accepted = items.filter((p) => !failed.has(p.payload.reference_id));
	const stored = counts.new_items + counts.updated_items + counts.ignored_items;
	const unattributed = Math.max(0, counts.upload_errors - failed.size);
	const consistent = unattributed === 0 && stored === accepted.length;
	let common: Outcome = 'appended';
	if (consistent) {
		if (counts.new_items === stored) common = 'new';
		else if (counts.updated_items === stored) common = 'updated';
		else if (counts.ignored_items === stored) common = 'ignored';
	}
	const openMessage = `Nucleus answered for ${items.length} items with ${counts.new_items} new, ${counts.updated_items} updated, ${counts.ignored_items} ignored and ${counts.upload_errors} failed, without saying which failed. Check this item with Dataset Item → Get.`;
	return items.map((p) => {
		const error = failed.get(p.payload.reference_id);
		if (error !== undefined) return result(p, 'failed', { error });
		if (consistent) return result(p, common);
		if (items.length === 1 && unattributed > 0) {
			return result(p, 'failed', { error: 'Nucleus reported an upload error for this item' });
		}
		return result(p, 'unconfirmed', { error: openMessage });
	});
}

/**
 * Per-item outcomes of a finished job. An error that quotes an item's image URL or names its
 * reference ID fails that item. The other items are `appended` when the job Completed with no error
 * that names nobody, or when every error of a failed job was attributed; a one-item job that did not
 * complete has failed; otherwise they are `unconfirmed`, with the job's unattributed errors.
 */
export function outcomesFromJob(
	items: PlannedItem[],
	status: JobStatusView,
	errors: JobError[],
): ItemOutcome[] {
	const jobId = status.job_id;
	const { byItem, unmatched } = mapErrorsToItems(
		errors,
		items.map((p) => ({
			itemIndex: p.itemIndex,
			referenceId: p.payload.reference_id,
			imageUrl: p.payload.image_url,
		})),
	);
	const job = { job_id: jobId, job_status: status.status };
	const allAttributed = unmatched.length === 0;
	const othersStored = allAttributed && (status.succeeded || (status.errored && byItem.size > 0));
	const jobMessage =
		`Job ${jobId} ended ${status.status}` +
		(unmatched.length
			? ` with ${unmatched.length} error(s) that name no item, e.g. ${unmatched[0]}`
			: errors.length === 0
				? ' and reported no errors'
				: '');
	return items.map((p) => {
		const itemErrors = byItem.get(p.itemIndex);
		if (itemErrors) return result(p, 'failed', { ...job, error: itemErrors.join('\n') });
		if (othersStored) return result(p, 'appended', job);
		if (items.length === 1 && !status.succeeded) {
			return result(p, 'failed', { ...job, error: jobMessage });
		}
		return result(p, 'unconfirmed', {
			...job,
			error: `${jobMessage}; whether this item was stored is not known. Check it with Dataset Item → Get.`,
		});
	});
}

/** An item whose request or job failed for good: an error item, or the node's error. */
export interface ItemFailure {
	item: PlannedItem;
	error: Error;
}

/** Items whose fate is known: judged from an answer (results) or failed for good (failures). */
export interface Settled {
	results: ItemOutcome[];
	failures: ItemFailure[];
}

/** What step 6 hands to the output: every item settled, or carried by a job not waited for. */
export interface AppendOutcomes extends Settled {
	/** Every job created in this run, in order of its first item. */
	jobIds: string[];
	/** Requests whose job is not waited for (Wait for Completion off): one output item each. */
	unwaited: JobSubmission[];
}

/** A request answered with a job, with the items it carried. */
export type JobSubmission = SentBatch & {
	ok: true;
	answer: Extract<AppendAnswer, { kind: 'job' }>;
};

/** What an Append that waited tells the user when one of its jobs gives no result. */
const APPEND_JOB_HINTS: JobFailureHints = {
	unread: (jobId) =>
		`The job's items may already be in the dataset. Follow it with Job → Wait for Completion and Job ID ${jobId}; re-running the append with the same reference IDs does not duplicate items.`,
	errorsUnread: (jobId) =>
		`The job's items may already be in the dataset. Read the errors later with Job → Get Errors and Job ID ${jobId}; re-running the append with the same reference IDs does not duplicate items.`,
};

/** The outcome of every sent item, added to those settled before sending (step 4). */
export async function itemOutcomes(
	node: INode,
	client: NucleusClient,
	sent: SentBatch[],
	settled: Settled,
	settings: Pick<AppendSettings, 'wait' | 'intervalMs' | 'timeoutMs'>,
	run: { signal?: AbortSignal; progress: AppendProgress },
): Promise<AppendOutcomes> {
	const { results, failures } = settled;
	const { intervalMs, timeoutMs } = settings;
	const { signal, progress } = run;
	// Requests finish in any order; jobs are reported in the order of their first input item.
	sent.sort((a, b) => a.items[0].itemIndex - b.items[0].itemIndex);
	// A list, not a map keyed by job ID: two requests answered with one job ID (nothing in the API
	// promises otherwise) must each keep their items (not waiting: one output item each).
	const submissions: JobSubmission[] = [];
	for (const sub of sent) {
		if (!sub.ok) for (const item of sub.items) failures.push({ item, error: sub.error });
		else if (sub.answer.kind === 'counts')
			results.push(...outcomesFromCounts(sub.answer.counts, sub.items));
		else submissions.push({ ...sub, answer: sub.answer });
	}
	const jobs = itemsByJob(
		submissions.map((sub) => ({ jobId: sub.answer.job.job_id, items: sub.items })),
	);
	const outcomes: AppendOutcomes = { results, failures, jobIds: [...jobs.keys()], unwaited: [] };
	if (submissions.length && !settings.wait) {
		outcomes.unwaited = submissions;
		return outcomes;
	}
	if (!jobs.size) return outcomes;
	progress.jobs = jobs.size;
	progress.update();
	const waited = await waitForJobs(client, [...jobs.keys()], {
		intervalMs,
		timeoutMs,
		signal,
		onRound: (done) => {
			progress.jobsFinished = done;
			progress.update();
		},
	});
	const finished = [...waited].filter(([, r]) => r.state === 'final').map(([id]) => id);
	const jobErrors = await getErrorsOfJobs(client, finished, { concurrency: 8, signal });
	for (const [jobId, items] of jobs) {
		const outcome = waited.get(jobId)!;
		const errors = jobErrors.get(jobId);
		const failure = jobFailure(node, jobId, outcome, errors, {
			timeoutMs,
			errorsRequired: true,
			hints: APPEND_JOB_HINTS,
		});
		if (failure) for (const item of items) failures.push({ item, error: failure });
		else if (outcome.state === 'final' && Array.isArray(errors)) {
			results.push(...outcomesFromJob(items, outcome.status, errors));
		}
	}
	return outcomes;
}
