/**
 * Step 4 of Append, skip present (Skip Items Already in Dataset): which planned items the dataset already holds, by reference ID,
 * so a re-run (after a crash, or of a growing folder) sends only the rest. It lists the dataset
 * with `POST dataset/{id}/itemsPage` (the SDK's `Dataset.items_generator`, nucleus/dataset.py) before anything is sent: ceil(N / page
 * size) requests for a dataset of N items, plus one for its item count when it takes more than one
 * page (the count bounds the walk). Only the reference IDs are kept, one page at a time, so
 * a dataset of a million items costs a Set of strings, not a million items.
 *
 * Only used when Update Existing Items is off: Nucleus leaves a colliding item as it is then
 * (the `update` flag of the SDK's `Dataset.append`), so not sending it changes nothing in the dataset.
 */
import type { INode } from 'n8n-workflow';

import { datasetItemPages, itemReferenceId } from '../../../../shared/api/itemPages';
import { asNodeError } from '../../../../shared/errors';
import type { NucleusClient } from '../../../../shared/transport';
import { groupByDataset } from '../shared/groupByDataset';
import { outcomesAlreadyPresent, type Settled } from './outcomes';
import type { AppendPlan, PlannedItem } from './plan';

/**
 * Items per listing request. The SDK pages by 100,000 (`items_generator`); a page carries each
 * item's metadata, so a smaller page keeps one answer to a few MB while a 100,000-item dataset
 * still lists in 10 requests.
 */
export const LISTING_PAGE_SIZE = 10_000;

/**
 * Every reference ID in the dataset, page by page. The walk is bounded by the dataset's item count
 * (api/itemPages.ts), so memory holds at most that many IDs plus room for items added meanwhile.
 */
export async function referenceIdsInDataset(
	client: NucleusClient,
	datasetId: string,
	pageSize = LISTING_PAGE_SIZE,
): Promise<Set<string>> {
	const refs = new Set<string>();
	for await (const items of datasetItemPages(client, datasetId, {
		pageSize,
		advice: 'Turn off "Skip Items Already in Dataset", or try again later.',
	})) {
		for (const item of items) {
			const ref = itemReferenceId(item);
			if (ref !== undefined) refs.add(ref);
		}
	}
	return refs;
}

export interface PresentSplit<T extends PlannedItem> {
	/** Items whose reference ID the dataset holds: not sent. */
	present: T[];
	/** Items to send, in input order. */
	missing: T[];
	/** Datasets that could not be listed, with their items (none of them sent). */
	unlisted: Array<{ datasetId: string; items: T[]; error: Error }>;
}

/** Splits the planned items by whether their dataset already holds their reference ID. */
export async function splitPresent<T extends PlannedItem>(
	client: NucleusClient,
	items: T[],
	pageSize = LISTING_PAGE_SIZE,
): Promise<PresentSplit<T>> {
	const split: PresentSplit<T> = { present: [], missing: [], unlisted: [] };
	// One dataset's Set at a time: it is dropped before the next dataset is listed.
	for (const [datasetId, list] of groupByDataset(items)) {
		let refs: Set<string>;
		try {
			refs = await referenceIdsInDataset(client, datasetId, pageSize);
		} catch (error) {
			split.unlisted.push({ datasetId, items: list, error: error as Error });
			continue;
		}
		for (const p of list)
			(refs.has(p.payload.reference_id) ? split.present : split.missing).push(p);
	}
	split.missing.sort((a, b) => a.itemIndex - b.itemIndex);
	return split;
}

/** The plan without the items the datasets already hold, and those items apart. */
export async function withoutPresent(
	client: NucleusClient,
	plan: AppendPlan,
	pageSize = LISTING_PAGE_SIZE,
): Promise<{ plan: AppendPlan } & Omit<PresentSplit<PlannedItem>, 'missing'>> {
	// One branch per mode keeps the plan's items of one kind (the send steps rely on it).
	if (plan.mode === 'remote') {
		const { missing, ...rest } = await splitPresent(client, plan.items, pageSize);
		return { plan: { ...plan, items: missing }, ...rest };
	}
	const { missing, ...rest } = await splitPresent(client, plan.items, pageSize);
	return { plan: { ...plan, items: missing }, ...rest };
}

/**
 * The plan to send, and what is already settled: the items the datasets hold (not sent) and, with
 * On Error → Continue, the items of a dataset that could not be listed (failed, not sent). Listed
 * after the checks (an invalid run costs no listing) and before the first image is sent.
 */
export async function skipPresent(
	node: INode,
	client: NucleusClient,
	plan: AppendPlan,
	options: { enabled: boolean; continueOnFail: boolean },
): Promise<{ plan: AppendPlan; settled: Settled }> {
	const settled: Settled = { results: [], failures: [] };
	if (!options.enabled || !plan.items.length) return { plan, settled };
	const split = await withoutPresent(client, plan);
	if (split.unlisted.length && !options.continueOnFail) {
		const first = split.unlisted[0];
		const error = asNodeError(node, first.error, first.items[0].itemIndex);
		error.description = `${error.description ? error.description + ' ' : ''}Dataset ${first.datasetId} could not be listed for "Skip Items Already in Dataset"; nothing was sent.`;
		throw error;
	}
	for (const u of split.unlisted) {
		for (const item of u.items) settled.failures.push({ item, error: u.error });
	}
	settled.results.push(...outcomesAlreadyPresent(split.present));
	return { plan: split.plan, settled };
}
