import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../errors';
import type { NucleusClient } from '../transport';
import { collectAppendPlan, groupByDataset } from './collect';
import { appendLocalItems } from './local';
import { appendSyncBatches, resolveAsyncAppend, submitAsyncAppend } from './remote';
import type { ItemFailure, ItemResult } from './results';

/** Upper bound of requests in flight (the Concurrency option's default); the pool adapts below it. */
export const DEFAULT_CONCURRENCY = 32;
export const DEFAULT_BATCH_SIZE = 20;

function resultItem(r: ItemResult, extra: IDataObject = {}): INodeExecutionData {
	const json: IDataObject = {
		reference_id: r.reference_id,
		dataset_id: r.dataset_id,
		outcome: r.outcome,
		succeeded: r.succeeded,
		...extra,
	};
	if (r.error !== undefined) json.error_message = r.error;
	if (r.job_id !== undefined) json.job_id = r.job_id;
	return { json, pairedItem: { item: r.itemIndex } };
}

/**
 * Append Items: validates every input item first, then sends the valid ones (remote async job,
 * remote sync batches, or local multipart uploads). Output is in input order: one item per input
 * (result or, with Continue On Fail, an error item), or for an async job without waiting, one
 * summary item per dataset paired to all the items it carries.
 */
export async function appendItems(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal();
	// Checked before any file or binary is touched: an agent cannot hand the node binary data.
	if (this.getNodeParameter('mode', 0, 'remote') === 'local' && node.type.endsWith('Tool')) {
		throw new NodeOperationError(node, 'Local File mode is not available to AI agents', {
			description: 'An AI agent cannot pass binary files. Use Remote URL mode in the tool.',
		});
	}
	const plan = await collectAppendPlan.call(this, items);

	if (plan.problems.length && !continueOnFail) {
		const first = plan.problems[0];
		throw new NodeOperationError(node, first.message, {
			itemIndex: first.itemIndex,
			description:
				(first.description ? first.description + ' ' : '') +
				(plan.problems.length > 1
					? `${plan.problems.length} items are invalid; nothing was sent. Turn on "On Error: Continue" to append the valid items and get the invalid ones as error items.`
					: 'Nothing was sent.'),
		});
	}

	const slots: Array<INodeExecutionData[] | undefined> = new Array(items.length);
	for (const p of plan.problems) {
		slots[p.itemIndex] = [
			{
				json: { error: p.message },
				error: new NodeOperationError(node, p.message, {
					itemIndex: p.itemIndex,
					description: p.description,
				}),
				pairedItem: { item: p.itemIndex },
			},
		];
	}
	const placeFailures = (failures: ItemFailure[]) => {
		if (failures.length && !continueOnFail) {
			const first = failures.sort((a, b) => a.itemIndex - b.itemIndex)[0];
			throw asNodeError(node, first.error, first.itemIndex);
		}
		for (const f of failures) {
			slots[f.itemIndex] = [
				{ json: { error: f.error.message }, pairedItem: { item: f.itemIndex } },
			];
		}
	};
	const placeResults = (results: ItemResult[], extra?: (r: ItemResult) => IDataObject) => {
		for (const r of results) slots[r.itemIndex] = [resultItem(r, extra?.(r))];
	};

	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const concurrency = Number(options.concurrency ?? DEFAULT_CONCURRENCY);
	const summaries: INodeExecutionData[] = [];

	if (plan.planned.length && plan.mode === 'local') {
		const { results, failures } = await appendLocalItems(this, client, plan.planned, plan.update, {
			concurrency,
			signal,
		});
		placeResults(results);
		placeFailures(failures);
	} else if (plan.planned.length) {
		const processing = this.getNodeParameter('processing', 0, 'async') as string;
		if (processing === 'sync') {
			const { results, failures } = await appendSyncBatches(
				node,
				client,
				plan.planned,
				plan.update,
				{
					batchSize: Math.min(29, Math.max(1, Number(options.batchSize ?? DEFAULT_BATCH_SIZE))),
					concurrency,
					signal,
				},
			);
			placeResults(results);
			placeFailures(failures);
		} else {
			const wait = options.waitForCompletion === true;
			for (const [datasetId, group] of groupByDataset(plan.planned)) {
				const submission = await submitAsyncAppend(node, client, datasetId, group, plan.update);
				if (!wait) {
					summaries.push({
						json: {
							job_id: submission.job.job_id,
							status: submission.job.job_last_known_status,
							job_type: submission.job.job_type,
							job_creation_time: submission.job.job_creation_time,
							dataset_id: datasetId,
							items_submitted: group.length,
							items_invalid: plan.problems.length,
							update: plan.update,
						},
						pairedItem: group.map((p) => ({ item: p.itemIndex })),
					});
					continue;
				}
				try {
					const { status, results } = await resolveAsyncAppend(node, client, submission, {
						intervalMs: Number(options.pollInterval ?? 5) * 1000,
						timeoutMs: Number(options.timeout ?? 3600) * 1000,
						signal,
					});
					placeResults(results, () => ({ job_status: status.status }));
				} catch (error) {
					if (signal?.aborted) throw asNodeError(node, error);
					placeFailures(group.map((p) => ({ itemIndex: p.itemIndex, error: error as Error })));
				}
			}
		}
	}

	const out: INodeExecutionData[] = [];
	for (const slot of slots) if (slot) out.push(...slot);
	return [...summaries, ...out];
}
