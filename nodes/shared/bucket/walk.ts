/**
 * Every object under a prefix, several listings at a time. One ListObjectsV2 walk is a chain of
 * continuation tokens, so it cannot go faster than one page per round trip; S3 lists each prefix
 * on its own, so the prefix is split into its folders (one listing with delimiter "/"), and up to
 * `concurrency` folders are walked at once. The objects directly under the prefix come with the
 * folder listing. Nothing is kept but one page per walk in flight and the folder names.
 *
 * `onPage` is called for one page at a time per walk; the walks interleave, so it must not assume
 * key order across pages. The page cap counts the pages of all walks together.
 */
import { setMaxListeners } from 'node:events';

import { OperationalError } from 'n8n-workflow';

import { runPool } from '../pool';
import { makeAbortError } from '../transport';
import type { ListPage } from './listPage';
import { listPages, type PageFetcher } from './pages';

export interface WalkOptions {
	prefix: string;
	maxPages: number;
	/** Folders listed at once. */
	concurrency: number;
	signal?: AbortSignal;
}

export async function walkBucket(
	fetchPage: PageFetcher,
	options: WalkOptions,
	onPage: (page: ListPage) => Promise<void>,
): Promise<{ pages: number; folders: number }> {
	// The walks' requests each listen to the cancel signal: on a signal of the walk's own, so that
	// eight walks in flight do not pass Node's warning threshold on the execution's signal.
	const local = new AbortController();
	setMaxListeners(8 * Math.max(1, options.concurrency) + 8, local.signal);
	const forward = () => local.abort();
	if (options.signal?.aborted) local.abort();
	options.signal?.addEventListener('abort', forward, { once: true });
	try {
		return await walk(fetchPage, { ...options, signal: local.signal }, onPage);
	} finally {
		options.signal?.removeEventListener('abort', forward);
	}
}

async function walk(
	fetchPage: PageFetcher,
	options: WalkOptions,
	onPage: (page: ListPage) => Promise<void>,
): Promise<{ pages: number; folders: number }> {
	let pages = 0;
	const counted: PageFetcher = async (params, signal) => {
		if (++pages > options.maxPages) {
			throw new OperationalError(
				`The listing of "${options.prefix}" has more than ${options.maxPages} pages (Max Pages); nothing past them was read`,
			);
		}
		return await fetchPage(params, signal);
	};
	const folders: string[] = [];
	for await (const page of listPages(counted, {
		prefix: options.prefix,
		delimiter: '/',
		maxPages: options.maxPages,
		signal: options.signal,
	})) {
		folders.push(...page.folders);
		if (page.objects.length) await onPage({ objects: page.objects, folders: [] });
	}
	await runPool(
		folders.length,
		Math.max(1, options.concurrency),
		async (k) => {
			for await (const page of listPages(counted, {
				prefix: folders[k],
				maxPages: options.maxPages,
				signal: options.signal,
			})) {
				await onPage(page);
			}
		},
		options.signal,
	);
	if (options.signal?.aborted) throw makeAbortError();
	return { pages, folders: folders.length };
}
