/**
 * The page-walk judge (shared/api/pages.ts) and the dataset item walk built on it
 * (shared/api/itemPages.ts): every paginated read ends, on what the listing can need.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import { datasetItemPages, itemPageKey } from '../../nodes/shared/api/itemPages';
import {
	boundsForCount,
	boundsForLimit,
	judgePage,
	PageWalk,
	type PageBounds,
	type PageSeen,
	type PageVerdict,
	type WalkState,
} from '../../nodes/shared/api/pages';
import { UnexpectedAnswerError } from '../../nodes/shared/api/unexpected';
import type { NucleusClient } from '../../nodes/shared/transport';

const walk = (pages: number, items: number, tokens: string[] = [], keys: string[] = []) =>
	({ pages, items, tokens: new Set(tokens), keys: new Set(keys) }) satisfies WalkState;

describe('judgePage', () => {
	const bounds: PageBounds = { maxItems: 100, maxPages: 5 };
	const cases: Array<[string, WalkState, PageSeen, PageBounds, PageVerdict['next'], RegExp?]> = [
		[
			'first page, more to come',
			walk(0, 0),
			{ size: 10, key: 'k1', nextToken: 't1' },
			bounds,
			'page',
		],
		[
			'the last page',
			walk(2, 20, ['t1', 't2'], ['k1', 'k2']),
			{ size: 5, key: 'k3', nextToken: null },
			bounds,
			'end',
		],
		['an empty last page', walk(2, 20, ['t1', 't2']), { size: 0, nextToken: null }, bounds, 'end'],
		[
			'a token given before',
			walk(2, 20, ['t1', 't2'], ['k1', 'k2']),
			{ size: 10, key: 'k3', nextToken: 't1' },
			bounds,
			'stop',
			/^a page token it had already given$/,
		],
		[
			'the same page again under a new token',
			walk(1, 10, ['t1'], ['k1']),
			{ size: 10, key: 'k1', nextToken: 't2' },
			bounds,
			'stop',
			/the same page again under a new token \(page 2 repeats an earlier page\)/,
		],
		[
			'the same page again as the last page',
			walk(1, 10, ['t1'], ['k1']),
			{ size: 10, key: 'k1', nextToken: null },
			bounds,
			'stop',
			/same page again/,
		],
		[
			'a page without a key is never a repeat',
			walk(1, 10, ['t1'], ['k1']),
			{ size: 10, nextToken: 't2' },
			bounds,
			'page',
		],
		[
			'exactly the most entries, more to come',
			walk(1, 90, ['t1']),
			{ size: 10, key: 'k2', nextToken: 't2' },
			bounds,
			'page',
		],
		[
			'past the most entries',
			walk(1, 90, ['t1']),
			{ size: 11, key: 'k2', nextToken: 't2' },
			bounds,
			'stop',
			/more items than the listing can hold \(at most 100\)/,
		],
		[
			'past the most entries on the last page',
			walk(1, 90, ['t1']),
			{ size: 11, key: 'k2', nextToken: null },
			bounds,
			'stop',
			/more items/,
		],
		[
			'no count known: entries are not bounded',
			walk(1, 90, ['t1']),
			{ size: 1000, key: 'k2', nextToken: 't2' },
			{ maxPages: 5 },
			'page',
		],
		[
			'a next page past the page cap',
			walk(4, 40, ['t1', 't2', 't3', 't4']),
			{ size: 10, key: 'k5', nextToken: 't5' },
			bounds,
			'stop',
			/more pages than the listing can need \(at most 5\)/,
		],
		[
			'the last page at the page cap',
			walk(4, 40, ['t1', 't2', 't3', 't4']),
			{ size: 10, key: 'k5', nextToken: null },
			bounds,
			'end',
		],
		[
			'empty pages under new tokens',
			walk(3, 0, ['t1', 't2', 't3']),
			{ size: 0, nextToken: 't4' },
			bounds,
			'page',
		],
	];
	for (const [name, state, page, b, next, reason] of cases) {
		test(name, () => {
			const verdict = judgePage(state, page, b);
			assert.equal(verdict.next, next);
			if (reason) assert.match((verdict as { reason: string }).reason, reason);
		});
	}
});

describe('the bounds', () => {
	test('from a count: the count with room for a tenth more (at least a page), pages half full on average', () => {
		const cases: Array<[number, number, number, number]> = [
			// count, page size, most items, most pages
			[0, 1000, 1000, 3],
			[4, 1000, 1004, 5],
			[25, 10, 35, 9],
			[100_000, 10_000, 110_000, 23],
			[1_000_000, 10_000, 1_100_000, 221],
		];
		for (const [count, pageSize, maxItems, maxPages] of cases) {
			assert.deepEqual(boundsForCount(count, pageSize), { maxItems, maxPages }, `${count}`);
		}
	});

	test('from a limit: pages only (the walk ends by itself at the limit)', () => {
		assert.deepEqual(boundsForLimit(50, 1000), { maxPages: 3 });
		assert.deepEqual(boundsForLimit(2500, 1000), { maxPages: 7 });
	});

	test('PageWalk records every page it judges', () => {
		const w = new PageWalk({ maxItems: 100, maxPages: 10 });
		assert.equal(w.next({ size: 10, key: 'a', nextToken: 't1' }).next, 'page');
		assert.equal(w.next({ size: 10, key: 'b', nextToken: 't2' }).next, 'page');
		assert.equal(w.next({ size: 10, key: 'c', nextToken: 't1' }).next, 'stop');
		assert.deepEqual(
			[w.pages, w.items, [...w.tokens], [...w.keys]],
			[3, 30, ['t1', 't2'], ['a', 'b', 'c']],
		);
	});
});

describe('the dataset item walk', () => {
	const item = (ref: string) => ({ reference_id: ref });

	test('a page key is its size with its first and last reference ID (`ref_id` too)', () => {
		assert.equal(itemPageKey([item('a'), item('b'), item('c')]), '[3,"a","c"]');
		assert.equal(itemPageKey([{ ref_id: 'a' }]), '[1,"a","a"]');
		assert.equal(itemPageKey([]), undefined);
		assert.equal(itemPageKey([{ image_url: 'x' }, item('b')]), undefined);
	});

	/** A client whose item pages come from `pages` in turn; the dataset info says `length`. */
	function stubClient(
		pages: Array<{ items: IDataObject[]; nextPageToken: string | null }>,
		length = 4,
	) {
		const asked: string[] = [];
		let next = 0;
		const client = {
			request: async (method: string, route: string, options: { json?: IDataObject }) => {
				asked.push(`${method} ${route}${options.json ? ' ' + JSON.stringify(options.json) : ''}`);
				if (route.endsWith('/info')) return { dataset_id: 'ds_1', name: 'n', length };
				return pages[Math.min(next++, pages.length - 1)];
			},
		} as unknown as NucleusClient;
		return { client, asked };
	}

	async function collect(client: NucleusClient, options: { pageSize: number; limit?: number }) {
		const out: IDataObject[] = [];
		for await (const items of datasetItemPages(client, 'ds_1', options)) out.push(...items);
		return out;
	}

	test('a dataset on one page costs one request; more pages read the count once, before the second', async () => {
		const one = stubClient([{ items: [item('a')], nextPageToken: null }]);
		assert.deepEqual(await collect(one.client, { pageSize: 10 }), [item('a')]);
		assert.deepEqual(one.asked, ['POST dataset/ds_1/itemsPage {"pageSize":10,"pageToken":null}']);

		const two = stubClient([
			{ items: [item('a'), item('b')], nextPageToken: 't1' },
			{ items: [item('c')], nextPageToken: null },
		]);
		assert.equal((await collect(two.client, { pageSize: 2 })).length, 3);
		assert.deepEqual(two.asked, [
			'POST dataset/ds_1/itemsPage {"pageSize":2,"pageToken":null}',
			'GET dataset/ds_1/info',
			'POST dataset/ds_1/itemsPage {"pageSize":2,"pageToken":"t1"}',
		]);
	});

	test('with a limit: no count is read, and the walk ends at the limit', async () => {
		const s = stubClient([
			{ items: [item('a'), item('b')], nextPageToken: 't1' },
			{ items: [item('c'), item('d')], nextPageToken: 't2' },
		]);
		assert.deepEqual(await collect(s.client, { pageSize: 2, limit: 3 }), [
			item('a'),
			item('b'),
			item('c'),
		]);
		assert.deepEqual(s.asked, [
			'POST dataset/ds_1/itemsPage {"pageSize":2,"pageToken":null}',
			'POST dataset/ds_1/itemsPage {"pageSize":1,"pageToken":"t1"}',
		]);
	});

	test('a stopped walk is an error naming the dataset, the reason and the bounds', async () => {
		let n = 0;
		const forever = {
			request: async (_m: string, route: string) =>
				route.endsWith('/info')
					? { dataset_id: 'ds_1', name: 'n', length: 4 }
					: { items: [item(`r${n}`), item(`s${n}`)], nextPageToken: `t${n++}` },
		} as unknown as NucleusClient;
		await assert.rejects(collect(forever, { pageSize: 2 }), (error: UnexpectedAnswerError) => {
			assert.ok(error instanceof UnexpectedAnswerError);
			assert.equal(
				error.message,
				'Nucleus answered the item pages of dataset ds_1 with more items than the listing can hold (at most 6); stopped after 4 pages and 8 items',
			);
			assert.match(
				error.description,
				/Dataset ds_1 held 4 items when the listing began; the walk allows 6 .* in at most 7 pages\. Try again later\./,
			);
			return true;
		});
		assert.equal(n, 4, 'the fourth page was the last one read');
	});
});
