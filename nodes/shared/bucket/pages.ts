/**
 * The page walk of a bucket listing: pages in order until the last, each fetched only when the
 * previous one has been consumed (so memory holds one page, 1,000 keys at most, at a time).
 * Bounded: a page cap, a continuation token seen twice, or a page that does not move forward in key
 * order (S3 lists keys in ascending UTF-8 binary order, ListObjectsV2) ends the walk with an error
 * instead of looping; a cancelled execution stops it between pages and inside a request.
 */
import { OperationalError } from 'n8n-workflow';
import { makeAbortError } from '../transport';
import type { ListPage } from './listPage';
import type { ListParams } from './request';

export type PageFetcher = (params: ListParams, signal?: AbortSignal) => Promise<ListPage>;

export interface ListOptions {
	prefix: string;
	delimiter?: string;
	/** Most pages to read (1,000 keys each); the walk fails past it. */
	maxPages: number;
	signal?: AbortSignal;
}

/** S3's key order: UTF-8 bytes, not JavaScript's UTF-16 string order. */
function compareKeys(a: string, b: string): number {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export async function* listPages(
	fetchPage: PageFetcher,
	options: ListOptions,
): AsyncGenerator<ListPage> {
	const seenTokens = new Set<string>();
	let token: string | undefined;
	let lastKey: string | undefined;
	let lastFolder: string | undefined;
	for (let page = 1; ; page++) {
		if (options.signal?.aborted) throw makeAbortError();
		if (page > options.maxPages) {
			throw new OperationalError(
				`The listing of "${options.prefix}" has more than ${options.maxPages} pages (Max Pages); nothing past them was read`,
			);
		}
		const result = await fetchPage(
			{ prefix: options.prefix, delimiter: options.delimiter, continuationToken: token },
			options.signal,
		);
		const first = result.objects[0]?.key;
		const firstFolder = result.folders[0];
		if (
			(first !== undefined && lastKey !== undefined && compareKeys(first, lastKey) <= 0) ||
			(firstFolder !== undefined &&
				lastFolder !== undefined &&
				compareKeys(firstFolder, lastFolder) <= 0)
		) {
			throw new OperationalError(
				`The bucket answered page ${page} of "${options.prefix}" with keys it had already listed; the listing was stopped`,
			);
		}
		if (result.objects.length) lastKey = result.objects[result.objects.length - 1].key;
		if (result.folders.length) lastFolder = result.folders[result.folders.length - 1];
		yield result;
		if (result.nextToken === undefined) return;
		if (seenTokens.has(result.nextToken)) {
			throw new OperationalError(
				`The bucket gave a continuation token on page ${page} of "${options.prefix}" that it had given before; the listing was stopped`,
			);
		}
		seenTokens.add(result.nextToken);
		token = result.nextToken;
	}
}
