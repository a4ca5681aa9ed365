/**
 * Where an input item becomes a DatasetItem: the payload Nucleus receives for one image (nucleus-api.md
 * 2.2), as an NDJSON line (remote, presigned upload) or an entry of the multipart `items` part (local).
 */
import type { DatasetItemPayload } from '../../../../shared/api/types';

export function buildDatasetItem(parts: {
	referenceId: string;
	imageUrl: string;
	metadata: Record<string, unknown>;
	width?: number;
	height?: number;
}): DatasetItemPayload {
	const item: DatasetItemPayload = {
		reference_id: parts.referenceId,
		image_url: parts.imageUrl,
		metadata: parts.metadata,
	};
	if (parts.width !== undefined) item.width = parts.width;
	if (parts.height !== undefined) item.height = parts.height;
	return item;
}

export function toNdjsonLine(item: DatasetItemPayload): string {
	return `${JSON.stringify(item)}\n`;
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
