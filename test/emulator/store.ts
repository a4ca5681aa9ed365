/** In-memory datasets and items of the emulator (no image bytes are kept, only size and SHA-256). */
import {
	METADATA_MISSING_ITEM,
	isPlainObject,
	itemFailure,
	metadataTypeConflict,
	metadataTypeOf,
	type ItemLike,
	type LocalImageInfo,
} from './rules';
import type { FetchedImageInfo, FetchResult } from './remoteImages';
import { newId } from './util';

export interface StoredItem {
	dataset_item_id: string;
	reference_id: string;
	image_url: string;
	metadata: Record<string, unknown>;
	width?: number;
	height?: number;
	/** Set for items that came with a multipart image part. */
	image?: LocalImageInfo;
	/** Set for remote items whose image the emulator read (EmulatorOptions.s3Endpoint). */
	fetchedImage?: FetchedImageInfo;
	/** How many times update=true replaced this item. */
	updatedCount: number;
	/** Metadata updates merged into this item (POST dataset/{id}/metadata) since an append last stored it. */
	metadataUpdates: number;
}

export interface Dataset {
	id: string;
	name: string;
	is_scene: boolean;
	use_privacy_mode: boolean;
	created: Date;
	items: Map<string, StoredItem>;
	metadataTypes: Map<string, 'string' | 'number'>;
	/** Cached insertion-ordered array for paging; reset on insert/delete. */
	orderCache?: StoredItem[];
}

export type ApplyOutcome = 'new' | 'updated' | 'ignored' | 'failed';

export interface ApplyResult {
	outcome: ApplyOutcome;
	error?: string;
}

export class Store {
	readonly datasets = new Map<string, Dataset>();

	createDataset(name: string, opts: { usePrivacyMode?: boolean; isScene?: boolean } = {}): Dataset {
		const ds: Dataset = {
			id: newId('ds'),
			name,
			is_scene: opts.isScene === true,
			use_privacy_mode: opts.usePrivacyMode === true,
			created: new Date(),
			items: new Map(),
			metadataTypes: new Map(),
		};
		this.datasets.set(ds.id, ds);
		return ds;
	}

	get(id: string): Dataset | undefined {
		return this.datasets.get(id);
	}

	ordered(ds: Dataset): StoredItem[] {
		if (!ds.orderCache) ds.orderCache = [...ds.items.values()];
		return ds.orderCache;
	}

	deleteItem(ds: Dataset, ref: string): boolean {
		const ok = ds.items.delete(ref);
		if (ok) ds.orderCache = undefined;
		return ok;
	}

	/**
	 * Validate one item against the rules and apply it with update/ignore semantics.
	 * `image`: the uploaded part (local item), `null` for a legacyItems item without a matching part,
	 * `undefined` for a remote item. `fetched`: the read of a remote item's image, when the emulator
	 * read it (a failed read fails the item after the rules that come before the image's).
	 */
	apply(
		ds: Dataset,
		raw: ItemLike,
		update: boolean,
		image?: LocalImageInfo | null,
		fetched?: FetchResult,
	): ApplyResult {
		const ref = raw.reference_id;
		if (typeof ref !== 'string' || ref === '')
			return { outcome: 'failed', error: 'missing reference_id' };
		const error = itemFailure(raw, {
			usePrivacyMode: ds.use_privacy_mode,
			metadataTypes: ds.metadataTypes,
			image,
			remoteFailure: fetched && !fetched.ok ? fetched.reason : undefined,
		});
		if (error) return { outcome: 'failed', error };
		const existing = ds.items.get(ref);
		if (existing && !update) return { outcome: 'ignored' };
		const metadata = isPlainObject(raw.metadata) ? raw.metadata : {};
		for (const [k, v] of Object.entries(metadata)) {
			const t = metadataTypeOf(v);
			if (t && !ds.metadataTypes.has(k)) ds.metadataTypes.set(k, t);
		}
		const imageUrl =
			typeof raw.image_url === 'string' && raw.image_url !== ''
				? raw.image_url
				: image
					? image.filename
					: '';
		const item: StoredItem = {
			dataset_item_id: existing ? existing.dataset_item_id : newId('di'),
			reference_id: ref,
			image_url: imageUrl,
			metadata,
			updatedCount: existing ? existing.updatedCount + 1 : 0,
			metadataUpdates: 0,
		};
		if (typeof raw.width === 'number') item.width = raw.width;
		if (typeof raw.height === 'number') item.height = raw.height;
		if (image) item.image = image;
		if (fetched?.ok) item.fetchedImage = fetched.image;
		ds.items.set(ref, item);
		ds.orderCache = undefined;
		return { outcome: existing ? 'updated' : 'new' };
	}

	/**
	 * Merges `metadata` into the item's (the sent keys win, the others stay; rules.ts METADATA UPDATES).
	 * Returns the reason when the entry fails; a failed entry changes nothing.
	 */
	mergeMetadata(
		ds: Dataset,
		referenceId: string,
		metadata: Record<string, unknown>,
	): string | undefined {
		const item = ds.items.get(referenceId);
		if (!item) return METADATA_MISSING_ITEM;
		const conflict = metadataTypeConflict(metadata, ds.metadataTypes);
		if (conflict) return conflict;
		for (const [k, v] of Object.entries(metadata)) {
			const t = metadataTypeOf(v);
			if (t && !ds.metadataTypes.has(k)) ds.metadataTypes.set(k, t);
		}
		// A new object: a metadata object read earlier (getItem, an API answer) keeps what it held.
		item.metadata = { ...item.metadata, ...metadata };
		item.metadataUpdates++;
		return undefined;
	}
}

/** Item JSON as the API returns it (refloc, datasetItems, itemsPage, iloc). */
export function apiItem(it: StoredItem): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: it.dataset_item_id,
		dataset_item_id: it.dataset_item_id,
		reference_id: it.reference_id,
		image_url: it.image_url,
		original_image_url: it.image_url,
		metadata: it.metadata,
	};
	if (it.width !== undefined) out.width = it.width;
	if (it.height !== undefined) out.height = it.height;
	return out;
}
