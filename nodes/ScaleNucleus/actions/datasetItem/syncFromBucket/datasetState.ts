/**
 * Reading the dataset's state: every item's reference ID and stored ETag, page by page
 * (`POST dataset/{id}/itemsPage`, the SDK's items_generator), into the compact index. One page is
 * held at a time; the walk is bounded by a page cap and stops on a page token given twice.
 */
import { getItemsPage } from '../../../../shared/api/datasets';
import { UnexpectedAnswerError } from '../../../../shared/api/unexpected';
import type { NucleusClient } from '../../../../shared/transport';
import { makeAbortError } from '../../../../shared/transport';
import { DatasetIndex } from './datasetIndex';
import { ETAG_FIELD } from './objectToItem';

/**
 * Items per request. The SDK pages by 100,000; a page carries each item's URLs and metadata
 * (~0.5 KB), so 10,000 keeps an answer to a few MB while a million items list in 100 requests.
 */
export const ITEMS_PAGE_SIZE = 10_000;
/** A hundred million items: past it the walk is taken to be looping. */
const MAX_ITEM_PAGES = 10_000;

export async function readDatasetIndex(
	client: NucleusClient,
	datasetId: string,
	/** `s3://bucket/prefix`: items whose image URL starts with it belong to the synced prefix. */
	scopeUrl: string,
	options: { signal?: AbortSignal; itemIndex?: number; onPage?: (items: number) => void } = {},
): Promise<DatasetIndex> {
	const index = new DatasetIndex();
	const seenTokens = new Set<string>();
	let pageToken: string | null = null;
	for (let page = 0; page < MAX_ITEM_PAGES; page++) {
		if (options.signal?.aborted) throw makeAbortError();
		const answer = await getItemsPage(
			client,
			datasetId,
			{ pageSize: ITEMS_PAGE_SIZE, pageToken },
			options.itemIndex,
		);
		for (const item of answer.items) {
			// The backend sometimes names the reference ID `ref_id` (the SDK's DatasetItem.from_json).
			const ref = item.reference_id ?? item.ref_id;
			if (typeof ref !== 'string') continue;
			const metadata = item.metadata as Record<string, unknown> | undefined;
			const etag =
				metadata && typeof metadata[ETAG_FIELD] === 'string' ? metadata[ETAG_FIELD] : undefined;
			const url = [item.original_image_url, item.image_url].find((u) => typeof u === 'string');
			index.addStored(
				ref,
				etag as string | undefined,
				typeof url === 'string' && url.startsWith(scopeUrl),
			);
		}
		options.onPage?.(index.size);
		pageToken = answer.nextPageToken;
		if (pageToken === null) return index;
		if (seenTokens.has(pageToken)) {
			throw new UnexpectedAnswerError(
				`Nucleus answered the item pages of dataset ${datasetId} with a page token it had already given (after ${index.size} items)`,
				'The dataset could not be read, so nothing was sent. Try again later.',
			);
		}
		seenTokens.add(pageToken);
	}
	throw new UnexpectedAnswerError(
		`The item pages of dataset ${datasetId} did not end after ${MAX_ITEM_PAGES} pages`,
		'The dataset could not be read, so nothing was sent.',
	);
}
