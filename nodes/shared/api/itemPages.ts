/**
 * A dataset's items, page by page (`POST dataset/{id}/itemsPage`, the SDK's `Dataset.items_generator`,
 * nucleus/dataset.py), in a walk that always ends: every page is judged by api/pages.ts before it is
 * handed on, so a server that pages forever costs a bounded number of requests and the memory of
 * what the caller keeps, not more.
 *
 * Bounds: with a Limit, the limit (the walk ends once it has that many items). Without one, the
 * dataset's item count, read once when the walk needs it (when the first page is not also the last,
 * so a dataset that fits one page costs one request as before): at most the count plus room for
 * items added while listing, in a page cap derived from it. Every walk also stops on the same page
 * again under a new token and on a token given before.
 */
import type { IDataObject } from 'n8n-workflow';

import type { NucleusClient } from '../transport';
import { makeAbortError } from '../transport';
import { getDatasetInfo, getItemsPage } from './datasets';
import { boundsForCount, boundsForLimit, countText, PageWalk, type PageSeen } from './pages';
import { UnexpectedAnswerError } from './unexpected';

/** An item's reference ID; the backend sometimes sends it as `ref_id` (the SDK's `DatasetItem.from_json`). */
export function itemReferenceId(item: IDataObject): string | undefined {
	const ref = item.reference_id ?? item.ref_id;
	return typeof ref === 'string' ? ref : undefined;
}

/**
 * What tells a page of items from another: its size with its first and last reference ID (a
 * reference ID is unique in a dataset, so two pages of one listing never share their first one).
 * Undefined for an empty page or one whose ends carry no reference ID.
 */
export function itemPageKey(items: IDataObject[]): string | undefined {
	if (!items.length) return undefined;
	const first = itemReferenceId(items[0]);
	const last = itemReferenceId(items[items.length - 1]);
	if (first === undefined || last === undefined) return undefined;
	return JSON.stringify([items.length, first, last]);
}

export interface ItemWalkOptions {
	/** Items asked for per request. */
	pageSize: number;
	/** Only the first `limit` items are wanted; undefined for all of them. */
	limit?: number;
	itemIndex?: number;
	/** Checked between pages (the client checks the execution's own signal in each request). */
	signal?: AbortSignal;
	/** What the user can do when the walk is stopped; ends the error's description. */
	advice?: string;
}

function stopped(
	datasetId: string,
	reason: string,
	walk: PageWalk,
	heldAtStart: number | undefined,
	advice: string,
): UnexpectedAnswerError {
	const bounds =
		heldAtStart === undefined
			? ''
			: `Dataset ${datasetId} held ${countText(heldAtStart)} items when the listing began; the walk allows ${countText(walk.bounds.maxItems ?? heldAtStart)} (room for items added meanwhile) in at most ${countText(walk.bounds.maxPages)} pages. `;
	return new UnexpectedAnswerError(
		`Nucleus answered the item pages of dataset ${datasetId} with ${reason}; stopped after ${countText(walk.pages)} pages and ${countText(walk.items)} items`,
		`The listing was stopped because it would not end. ${bounds}${advice}`,
	);
}

/** The dataset's items, one page at a time (at most `limit` in all); throws when the walk is stopped. */
export async function* datasetItemPages(
	client: NucleusClient,
	datasetId: string,
	options: ItemWalkOptions,
): AsyncGenerator<IDataObject[]> {
	const { pageSize, limit, itemIndex, signal } = options;
	const advice = options.advice ?? 'Try again later.';
	let walk: PageWalk | undefined =
		limit === undefined ? undefined : new PageWalk(boundsForLimit(limit, pageSize));
	let heldAtStart: number | undefined;
	let got = 0;
	let pageToken: string | null = null;
	for (;;) {
		if (signal?.aborted) throw makeAbortError();
		const size = limit === undefined ? pageSize : Math.min(pageSize, limit - got);
		const page = await getItemsPage(client, datasetId, { pageSize: size, pageToken }, itemIndex);
		const seen: PageSeen = {
			size: page.items.length,
			key: itemPageKey(page.items),
			nextToken: page.nextPageToken,
		};
		if (!walk && seen.nextToken !== null) {
			heldAtStart = (await getDatasetInfo(client, datasetId, itemIndex)).item_count;
			walk = new PageWalk(boundsForCount(heldAtStart, pageSize));
		}
		const verdict = walk?.next(seen) ?? { next: 'end' };
		if (verdict.next === 'stop') {
			throw stopped(datasetId, verdict.reason, walk!, heldAtStart, advice);
		}
		const items = limit === undefined ? page.items : page.items.slice(0, limit - got);
		got += items.length;
		yield items;
		if (verdict.next === 'end' || (limit !== undefined && got >= limit)) return;
		pageToken = seen.nextToken;
	}
}
