/**
 * The judge of every paginated read: given what a walk has read so far and the page it has just
 * read, ask for the next page, end, or stop with a reason. A server that hands out a new page token
 * forever, the same page again under a new token, or pages that never shrink would keep a walk
 * going without end, its memory growing; the judge ends it by what the listing can need, not only by
 * a token seen before. It stops on:
 * - a page whose content was seen before (its key: the caller's summary of the page, such as its
 *   size with its first and last entry): the same page again under a new token;
 * - more items than the listing can hold (`maxItems`: a count read before the walk, with room);
 * - a next-page token given before (the walk would go round in a circle);
 * - a next page past `maxPages`.
 *
 * It knows tokens, keys and counts, not what the entries are, so any listing can use it (a
 * dataset's item pages, a bucket's key pages). `judgePage` is pure; PageWalk keeps its state.
 */

export interface PageBounds {
	/** Most entries the listing can hold; undefined when no count is known (a page cap then bounds it). */
	maxItems?: number;
	/** Most pages the walk may read. */
	maxPages: number;
}

/** What a walk has read before the page being judged. */
export interface WalkState {
	pages: number;
	items: number;
	/** Next-page tokens handed out so far. */
	tokens: ReadonlySet<string>;
	/** Keys of the pages read so far. */
	keys: ReadonlySet<string>;
}

/** The page just read, as the judge sees it. */
export interface PageSeen {
	/** Entries on the page. */
	size: number;
	/** What tells this page's content from any other page's; undefined when it cannot be told. */
	key?: string;
	/** The token for the next page; null on the last page. */
	nextToken: string | null;
}

/**
 * `page`: ask for the page of `nextToken`; `end`: that was the last page; `stop`: the listing would
 * not end, and `reason` says why (it fits "Nucleus answered the … pages with <reason>").
 */
export type PageVerdict = { next: 'page' } | { next: 'end' } | { next: 'stop'; reason: string };

export const countText = (n: number) => n.toLocaleString('en-US');

export function judgePage(walk: WalkState, page: PageSeen, bounds: PageBounds): PageVerdict {
	const pageNumber = walk.pages + 1;
	const items = walk.items + page.size;
	if (page.key !== undefined && walk.keys.has(page.key)) {
		return {
			next: 'stop',
			reason: `the same page again under a new token (page ${pageNumber} repeats an earlier page)`,
		};
	}
	if (bounds.maxItems !== undefined && items > bounds.maxItems) {
		return {
			next: 'stop',
			reason: `more items than the listing can hold (at most ${countText(bounds.maxItems)})`,
		};
	}
	if (page.nextToken === null) return { next: 'end' };
	if (walk.tokens.has(page.nextToken)) {
		return { next: 'stop', reason: 'a page token it had already given' };
	}
	if (pageNumber >= bounds.maxPages) {
		return {
			next: 'stop',
			reason: `more pages than the listing can need (at most ${countText(bounds.maxPages)})`,
		};
	}
	return { next: 'page' };
}

/**
 * Room for entries added while the walk runs (another execution appending to the same dataset): a
 * tenth of the count, and at least one page.
 */
export function growthRoom(count: number, pageSize: number): number {
	return Math.max(pageSize, Math.ceil(count / 10));
}

/**
 * Pages the walk may read for `maxItems` entries in pages of `pageSize`: twice the pages full ones
 * would take, plus the empty last page some listings end with. A listing need not fill every page
 * (nothing in the SDK's `paginate_generator`, nucleus/utils.py, relies on full pages), so pages half
 * full on average still pass; a server handing out emptier pages than that is stopped.
 */
export function pageCap(maxItems: number, pageSize: number): number {
	return 2 * Math.ceil(maxItems / Math.max(1, pageSize)) + 1;
}

/** Bounds of a walk over a listing known to hold `count` entries before it began. */
export function boundsForCount(count: number, pageSize: number): Required<PageBounds> {
	const maxItems = count + growthRoom(count, pageSize);
	return { maxItems, maxPages: pageCap(maxItems, pageSize) };
}

/** Bounds of a walk that wants only the first `limit` entries (it ends by itself once it has them). */
export function boundsForLimit(limit: number, pageSize: number): PageBounds {
	return { maxPages: pageCap(limit, pageSize) };
}

/** One walk's state: judges each page read and records it. */
export class PageWalk implements WalkState {
	pages = 0;
	items = 0;
	readonly tokens = new Set<string>();
	readonly keys = new Set<string>();

	constructor(readonly bounds: PageBounds) {}

	/** The verdict on the page just read; the page counts as read whatever the verdict. */
	next(page: PageSeen): PageVerdict {
		const verdict = judgePage(this, page, this.bounds);
		this.pages++;
		this.items += page.size;
		if (page.key !== undefined) this.keys.add(page.key);
		if (page.nextToken !== null) this.tokens.add(page.nextToken);
		return verdict;
	}
}
