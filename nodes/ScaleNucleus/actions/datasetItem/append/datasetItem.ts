/**
 * Where an input item becomes a DatasetItem (plan.ts, step 3 of Append, calls it): the payload
 * Nucleus receives for one image (the SDK's `DatasetItem.to_payload`, scaleapi/nucleus-python-client nucleus/dataset_item.py), as an NDJSON line (remote, presigned upload)
 * or an entry of the multipart `items` part (local).
 */
import type { DatasetItemPayload } from '../../../../shared/api/types';
import { ItemMetadata } from '../validate/metadataModes';

/** A DatasetItem as planned: its metadata either a checked copy or the item's own JSON in place. */
export type PlannedPayload = Omit<DatasetItemPayload, 'metadata'> & {
	metadata: Record<string, unknown> | ItemMetadata;
};

export function buildDatasetItem(parts: {
	referenceId: string;
	imageUrl: string;
	metadata: Record<string, unknown> | ItemMetadata;
	width?: number;
	height?: number;
}): PlannedPayload {
	const item: PlannedPayload = {
		reference_id: parts.referenceId,
		image_url: parts.imageUrl,
		metadata: parts.metadata,
	};
	if (parts.width !== undefined) item.width = parts.width;
	if (parts.height !== undefined) item.height = parts.height;
	return item;
}

/** The object whose top-level keys the replacer below leaves out, and which keys (one line at a time). */
let skipping: ItemMetadata | undefined;

function skipKeys(this: unknown, key: string, value: unknown): unknown {
	return skipping && this === skipping.source && skipping.skip.has(key) ? undefined : value;
}

/**
 * One NDJSON line, the same text as `JSON.stringify(item)` (keys in the order buildDatasetItem sets
 * them). Metadata taken as it is from the item is written from the item, without a copy.
 */
export function toNdjsonLine(item: PlannedPayload): string {
	const metadata = item.metadata;
	if (!(metadata instanceof ItemMetadata)) return `${JSON.stringify(item)}\n`;
	skipping = metadata;
	let fields: string;
	try {
		fields = JSON.stringify(metadata.source, skipKeys);
	} finally {
		skipping = undefined;
	}
	let line = `{"reference_id":${JSON.stringify(item.reference_id)},"image_url":${JSON.stringify(item.image_url)},"metadata":${fields}`;
	if (item.width !== undefined) line += `,"width":${JSON.stringify(item.width)}`;
	if (item.height !== undefined) line += `,"height":${JSON.stringify(item.height)}`;
	return `${line}}\n`;
}

const CONTENT_TYPES: Record<string, string> = {
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	jpe: 'image/jpeg',
	png: 'image/png',
	gif: 'image/gif',
	webp: 'image/webp',
	bmp: 'image/bmp',
	tif: 'image/tiff',
	tiff: 'image/tiff',
	heic: 'image/heic',
	heif: 'image/heif',
	avif: 'image/avif',
};

/** Content type by file extension (case-insensitive); unknown → fallback or application/octet-stream. */
export function contentTypeForFile(fileName: string, fallback?: string): string {
	const base = fileName.split(/[\\/]/).pop() ?? '';
	const dot = base.lastIndexOf('.');
	const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
	const known = Object.prototype.hasOwnProperty.call(CONTENT_TYPES, ext)
		? CONTENT_TYPES[ext]
		: undefined;
	return known ?? (fallback && fallback.length > 0 ? fallback : 'application/octet-stream');
}
