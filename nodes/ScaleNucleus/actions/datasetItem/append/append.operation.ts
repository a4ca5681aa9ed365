/**
 * Dataset Item → Append, the heart of the node. The steps are files of this folder:
 *   read.ts (parameters of each item) → validate.ts (pure checks) → localSource.ts (files and binary
 *   data) → plan.ts (one planned item per valid input) → send/*.ts (one file per wire form) →
 *   outcomes.ts (what happened to each item) → output.ts (n8n items).
 * Everything is validated before the first request. This operation owns On Error → Continue: every
 * input item comes out as a result or an error item paired to it.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getErrorsOfJobs } from '../../../../shared/api/jobs';
import { asNodeError } from '../../../../shared/errors';
import { jobFailure, waitForJobs, type JobFailureHints } from '../../../../shared/jobs/wait';
import { numberOption } from '../../../../shared/options';
import type { NucleusClient } from '../../../../shared/transport';
import { errorItem } from '../../errorItem';
import { invalidItemSlots, invalidItemsError } from '../../invalidItems';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_POLL_INTERVAL_S } from './description';
import { withoutPresent } from './existing';
import {
	outcomesAlreadyPresent,
	outcomesFromCounts,
	outcomesFromJob,
	type ItemResult,
} from './outcomes';
import { jobItem, resultItem } from './output';
import { planAppend, type PlannedItem } from './plan';
import { AppendProgress } from './progress';
import type { AppendMode } from './read';
import { sendLegacy } from './send/legacy';
import { MAX_IMAGES_PER_REQUEST, sendLocalBatches } from './send/localBatches';
import { sendRemoteAsync } from './send/remoteAsync';
import type { Submission } from './send/submission';

/** What an Append that waited tells the user when one of its jobs gives no result. */
const APPEND_JOB_HINTS: JobFailureHints = {
	unread: (jobId) =>
		`The job's items may already be in the dataset. Follow it with Job → Wait for Completion and Job ID ${jobId}; re-running the append with the same reference IDs does not duplicate items.`,
	errorsUnread: (jobId) =>
		`The job's items may already be in the dataset. Read the errors later with Job → Get Errors and Job ID ${jobId}; re-running the append with the same reference IDs does not duplicate items.`,
};

export { description } from './description';

/** An item whose request or job failed for good: an error item, or the node's error. */
interface ItemFailure {
	item: PlannedItem;
	error: Error;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal();
	const mode = this.getNodeParameter('mode', 0, 'remote') as AppendMode;
	// Checked before any file or binary is touched: an agent cannot hand the node binary data.
	if (mode === 'local' && node.type.endsWith('Tool')) {
		throw new NodeOperationError(node, 'Local File mode is not available to AI agents', {
			description: 'An AI agent cannot pass binary files. Use Remote URL mode in the tool.',
		});
	}
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const legacy = options.protocol === 'legacySync';
	const update = this.getNodeParameter('update', 0, false) === true;
	// A job answered where counts were expected (legacy) is always followed to its end.
	const wait = legacy || this.getNodeParameter('waitForCompletion', 0, mode === 'local') === true;
	const concurrency = numberOption(
		this,
		options,
		'concurrency',
		'Concurrency',
		DEFAULT_CONCURRENCY,
		{
			min: 1,
			max: MAX_CONCURRENCY,
			whole: true,
		},
	);
	const intervalMs =
		numberOption(this, options, 'pollInterval', 'Poll Interval', 5, { min: MIN_POLL_INTERVAL_S }) *
		1000;
	const timeoutMs = numberOption(this, options, 'timeout', 'Max Wait', 3600, { min: 1 }) * 1000;

	const skipPresent = !update && options.skipPresent === true;

	let plan = await planAppend(this, items, mode);
	if (plan.problems.length && !continueOnFail)
		throw invalidItemsError(node, plan.problems, 'append');
	const slots = invalidItemSlots(node, plan.problems, items.length);

	// Listed after validation (an invalid run costs no listing) and before the first image is sent.
	const results: ItemResult[] = [];
	const failures: ItemFailure[] = [];
	let skipped = 0;
	if (skipPresent && plan.items.length) {
		const split = await withoutPresent(client, plan);
		if (split.unlisted.length && !continueOnFail) {
			const first = split.unlisted[0];
			const error = asNodeError(node, first.error, first.items[0].itemIndex);
			error.description = `${error.description ? error.description + ' ' : ''}Dataset ${first.datasetId} could not be listed for "Skip Items Already in Dataset"; nothing was sent.`;
			throw error;
		}
		for (const u of split.unlisted)
			for (const item of u.items) failures.push({ item, error: u.error });
		results.push(...outcomesAlreadyPresent(split.present));
		skipped = split.present.length;
		plan = split.plan;
	}

	const progress = new AppendProgress(this.logger, plan.items.length);
	progress.skipped = skipped;
	try {
		let submissions: Submission[] = [];
		if (plan.items.length) {
			if (legacy) {
				const batchSize = numberOption(this, options, 'batchSize', 'Batch Size', 20, {
					min: 1,
					max: 29,
					whole: true,
				});
				submissions = await sendLegacy(this, client, plan, update, {
					batchSize,
					concurrency,
					signal,
					progress,
				});
			} else if (plan.mode === 'local') {
				const imagesPerRequest = numberOption(
					this,
					options,
					'imagesPerRequest',
					'Images per Request',
					MAX_IMAGES_PER_REQUEST,
					{ min: 1, max: MAX_IMAGES_PER_REQUEST, whole: true },
				);
				submissions = await sendLocalBatches(this, client, plan.items, update, {
					imagesPerRequest,
					concurrency,
					signal,
					progress,
				});
			} else {
				submissions = await sendRemoteAsync(node, client, plan.items, update, signal);
				progress.sent = plan.items.length;
			}
		}

		// Requests finish in any order; jobs are reported in the order of their first input item.
		submissions.sort((a, b) => a.items[0].itemIndex - b.items[0].itemIndex);
		const jobs = new Map<string, Submission & { ok: true }>();
		for (const sub of submissions) {
			if (!sub.ok) for (const item of sub.items) failures.push({ item, error: sub.error });
			else if (sub.answer.kind === 'counts')
				results.push(...outcomesFromCounts(sub.answer.counts, sub.items));
			else jobs.set(sub.answer.job.job_id, sub);
		}

		const summaries: INodeExecutionData[] = [];
		if (jobs.size && !wait) {
			for (const sub of jobs.values()) {
				if (sub.answer.kind === 'job')
					summaries.push(jobItem(sub.answer.job, sub.datasetId, sub.items, update));
			}
		} else if (jobs.size) {
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
			for (const [jobId, sub] of jobs) {
				const outcome = waited.get(jobId)!;
				const errors = jobErrors.get(jobId);
				const failure = jobFailure(node, jobId, outcome, errors, {
					timeoutMs,
					errorsRequired: true,
					hints: APPEND_JOB_HINTS,
				});
				if (failure) for (const item of sub.items) failures.push({ item, error: failure });
				else if (outcome.state === 'final' && Array.isArray(errors)) {
					results.push(...outcomesFromJob(sub.items, outcome.status, errors));
				}
			}
		}

		if (failures.length && !continueOnFail) {
			const first = failures.sort((a, b) => a.item.itemIndex - b.item.itemIndex)[0];
			const error = asNodeError(node, first.error, first.item.itemIndex);
			if (jobs.size) {
				const ids = [...jobs.keys()];
				error.description = `${error.description ? error.description + ' ' : ''}Jobs created in this run (their items may be stored): ${ids.slice(0, 20).join(', ')}${ids.length > 20 ? ` and ${ids.length - 20} more` : ''}.`;
			}
			throw error;
		}
		for (const f of failures) {
			slots[f.item.itemIndex] = errorItem(node, f.error, f.item.itemIndex, {
				reference_id: f.item.payload.reference_id,
			});
		}
		for (const r of results) slots[r.itemIndex] = resultItem(r);
		progress.stored = results.filter((r) => r.succeeded).length - skipped;
		progress.failed = failures.length + results.length - skipped - progress.stored;
		progress.finish();

		const out: INodeExecutionData[] = [...summaries];
		for (const slot of slots) if (slot) out.push(slot);
		return out;
	} finally {
		// The heartbeat must not outlive the run, also when it ends with an error.
		progress.stop();
	}
}
