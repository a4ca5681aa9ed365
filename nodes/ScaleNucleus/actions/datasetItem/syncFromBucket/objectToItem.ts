/**
 * Where a bucket object becomes a DatasetItem (pure): which objects are taken (filters), the
 * reference ID rule, the image URL Scale reads, and the metadata (folder parts as named fields,
 * size, last-modified, ETag, plus the fixed metadata of the parameters).
 */
import type { IDataObject } from 'n8n-workflow';

import type { BucketObject } from '../../../../shared/bucket';

export type ReferenceIdRule = 'key' | 'keyWithoutExtension' | 'template';

export interface ObjectRules {
	bucket: string;
	/** 's3' for S3 and S3-compatible stores Scale reads as S3; 'gs' for Google Cloud Storage. */
	scheme: 's3' | 'gs';
	prefix: string;
	referenceIdRule: ReferenceIdRule;
	/** With {key}, {name} and {folder}; checked by checkTemplate. */
	template: string;
	/** Lower case, without the dot; empty: every extension. */
	extensions: string[];
	/** Epoch ms; objects last modified at or before it are left out. */
	modifiedAfter?: number;
	/** Names for the folder levels from the bucket's root, in order ('' skips a level). */
	folderFields: string[];
	fixedMetadata: IDataObject;
}

export interface KeyParts {
	/** The folder path of the key, without the trailing slash ('' at the bucket's root). */
	folder: string;
	/** The file name without its folder and without its extension. */
	name: string;
	/** Lower case, without the dot ('' when the name has none). */
	extension: string;
}

export function keyParts(key: string): KeyParts {
	const slash = key.lastIndexOf('/');
	const folder = slash >= 0 ? key.slice(0, slash) : '';
	const file = key.slice(slash + 1);
	const dot = file.lastIndexOf('.');
	// A leading dot (".hidden") starts the name, not an extension.
	if (dot <= 0) return { folder, name: file, extension: '' };
	return { folder, name: file.slice(0, dot), extension: file.slice(dot + 1).toLowerCase() };
}

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = new Set(['key', 'name', 'folder']);

/** Why a template cannot be used, or undefined when it can. */
export function checkTemplate(template: string): string | undefined {
	if (!template.trim()) return 'Reference ID Template is empty';
	const unknown = [...template.matchAll(PLACEHOLDER)]
		.map((m) => m[1])
		.filter((p) => !PLACEHOLDERS.has(p));
	if (unknown.length) {
		return `Reference ID Template uses {${unknown[0]}}, but only {key}, {name} and {folder} are known`;
	}
	if (!/\{(key|name)\}/.test(template)) {
		return 'Reference ID Template needs {key} or {name}, or every object would get the same reference ID';
	}
	return undefined;
}

export function referenceIdOf(
	key: string,
	rules: Pick<ObjectRules, 'referenceIdRule' | 'template'>,
): string {
	if (rules.referenceIdRule === 'key') return key;
	const parts = keyParts(key);
	if (rules.referenceIdRule === 'keyWithoutExtension') {
		return parts.folder ? `${parts.folder}/${parts.name}` : parts.name;
	}
	return rules.template.replace(PLACEHOLDER, (_, p: string) =>
		p === 'key' ? key : p === 'name' ? parts.name : parts.folder,
	);
}

/** Whether the object is one to sync: not a folder marker, and through the filters. */
export function isTaken(
	object: BucketObject,
	rules: Pick<ObjectRules, 'extensions' | 'modifiedAfter'>,
): boolean {
	if (object.key.endsWith('/')) return false;
	if (rules.extensions.length && !rules.extensions.includes(keyParts(object.key).extension))
		return false;
	if (rules.modifiedAfter !== undefined) {
		const modified = Date.parse(object.lastModified);
		if (!(modified > rules.modifiedAfter)) return false;
	}
	return true;
}

export function imageUrlOf(key: string, rules: Pick<ObjectRules, 'scheme' | 'bucket'>): string {
	return `${rules.scheme}://${rules.bucket}/${key}`;
}

/**
 * The folder levels of the key, from the bucket's root, as named fields; an empty name skips its
 * level: with fields ["", "weather", "site"], "incoming/sunny/north/0001.png" gives
 * { weather: "sunny", site: "north" }. Counted from the root, not from the prefix, so that a sync
 * of one folder (a fan-out) sets the same fields as a sync of the whole prefix. Levels past the
 * names are left out; names past the levels are not set.
 */
export function folderMetadata(key: string, names: string[]): IDataObject {
	const levels = key
		.split('/')
		.slice(0, -1)
		.filter((l) => l !== '');
	const out: IDataObject = {};
	names.forEach((name, i) => {
		if (name !== '' && i < levels.length) out[name] = levels[i];
	});
	return out;
}

/** The metadata field that holds the object's ETag, read back from the dataset on the next run. */
export const ETAG_FIELD = 'etag';

export function metadataOf(object: BucketObject, rules: ObjectRules): IDataObject {
	return {
		...rules.fixedMetadata,
		...folderMetadata(object.key, rules.folderFields),
		key: object.key,
		size: object.size,
		last_modified: object.lastModified,
		[ETAG_FIELD]: object.etag,
	};
}

export interface SyncItem {
	reference_id: string;
	image_url: string;
	metadata: IDataObject;
}

export function datasetItemOf(
	object: BucketObject,
	referenceId: string,
	rules: ObjectRules,
): SyncItem {
	return {
		reference_id: referenceId,
		image_url: imageUrlOf(object.key, rules),
		metadata: metadataOf(object, rules),
	};
}
