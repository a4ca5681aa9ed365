/**
 * Validation of the values read from one input item (pure: no I/O, no n8n contexts).
 *
 * Every check returns either the clean value or an `ItemProblem` that names the item (0-based,
 * as n8n shows it), the parameter, what was wrong and how to fix it. The node turns a problem
 * into a `NodeOperationError` with `itemIndex`, or into an error item with continue-on-fail.
 *
 * Decisions (documented in the README):
 * - Reference ID: must be a string (numbers are rejected too: convert with `{{ String(...) }}`,
 *   so leading zeros and large IDs are never mangled), not empty or whitespace-only, at most
 *   1024 characters. The value is sent exactly as given (never trimmed). IDs are compared
 *   exactly (case-sensitive) when looking for duplicates.
 * - Image URL: `http://`, `https://` (with a host), `s3://bucket/key`, `gs://bucket/key`
 *   (scheme case-insensitive). Surrounding whitespace is removed; the URL is otherwise sent
 *   as typed (not re-encoded).
 * - Metadata: a plain object. Nested objects and arrays are allowed. Dates (and objects with
 *   `toJSON`, such as Luxon DateTimes) become their JSON form (ISO strings). `undefined` values
 *   are dropped from objects and become `null` inside arrays (as `JSON.stringify` does).
 *   NaN, ±Infinity, BigInt, functions, symbols, Maps, Sets, binary buffers and circular
 *   references are rejected with the key path. Nesting deeper than 64 levels is rejected.
 * - Key-value metadata: an empty key is rejected; a key given twice is rejected (no silent
 *   "last wins" that would hide a typo).
 * - Width/Height: empty → not sent; otherwise a whole number from 1 to 2,147,483,647 (a number
 *   or a string of digits).
 */
import type { IDataObject } from 'n8n-workflow';

import { shorten } from '../../../../shared/text';
import { redactText } from '../../../../shared/transport/redact';
import { metadataFieldValue } from '../metadataFieldValue';
import { ItemMetadata } from './datasetItem';
import { aboutReference, isProblem, itemProblem, type ItemProblem } from './problem';
import type { ItemInput, MetadataInput } from './read';

export type { ItemProblem };

/** Every problem's texts lose URL user info: they quote the values they refuse (Image URL, metadata). */
function problem(
	itemIndex: number,
	field: string,
	message: string,
	description?: string,
): ItemProblem {
	return itemProblem(
		itemIndex,
		field,
		redactText(message),
		description === undefined ? undefined : redactText(description),
	);
}

export type ImageScheme = 'http' | 'https' | 's3' | 'gs';

export const MAX_REFERENCE_ID_LENGTH = 1024;
export const MAX_DIMENSION = 2_147_483_647;
export const MAX_METADATA_DEPTH = 64;
const PREVIEW_LENGTH = 80;

function truncate(text: string, max = PREVIEW_LENGTH): string {
	return shorten(text, max);
}

function safeStringify(value: unknown): string {
	try {
		const s = JSON.stringify(value);
		return s === undefined ? String(value) : s;
	} catch {
		return Object.prototype.toString.call(value);
	}
}

/** Describes what a value is, for "got …" in messages, e.g. "an array", "a number (42)". */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing (undefined)';
	if (value === null) return 'null';
	switch (typeof value) {
		case 'string':
			return value.length === 0 ? 'an empty string' : `a string (${quote(value)})`;
		case 'number':
			return `a number (${String(value)})`;
		case 'bigint':
			return `a BigInt (${truncate(String(value))})`;
		case 'boolean':
			return `a boolean (${String(value)})`;
		case 'function':
			return 'a function';
		case 'symbol':
			return 'a symbol';
	}
	if (Array.isArray(value)) return `an array (${truncate(safeStringify(value))})`;
	if (value instanceof Date) return 'a date';
	if (isBinary(value)) return 'binary data';
	if (value instanceof Map) return 'a Map';
	if (value instanceof Set) return 'a Set';
	return `an object (${truncate(safeStringify(value))})`;
}

function quote(text: string): string {
	return `'${truncate(text)}'`;
}

function isBinary(value: unknown): boolean {
	return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

// ---------------------------------------------------------------------------------------------
// Reference ID

export function validateReferenceId(value: unknown, itemIndex: number): string | ItemProblem {
	const field = 'Reference ID';
	const fix =
		"Set 'Reference ID' to an expression that gives every item its own ID, e.g. {{ $json.id }}.";
	if (value === undefined || value === null) {
		return problem(itemIndex, field, `Item ${itemIndex}: ${field} is missing`, fix);
	}
	// Whole numbers (a numeric `id` column) are taken as their decimal text.
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	if (typeof value !== 'string') {
		const hint =
			typeof value === 'number' || typeof value === 'bigint'
				? ' Convert it to text, e.g. {{ String($json.id) }}, so it is stored exactly as you mean it (numbers lose leading zeros).'
				: ' Use an expression that gives a text value, e.g. {{ $json.id }}.';
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be text, but got ${describeValue(value)}`,
			`Nucleus reference IDs are strings.${hint}`,
		);
	}
	if (value.trim().length === 0) {
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} is empty`,
			`${fix} Empty or whitespace-only IDs are not accepted.`,
		);
	}
	if (value.length > MAX_REFERENCE_ID_LENGTH) {
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} is ${value.length} characters long; the limit is ${MAX_REFERENCE_ID_LENGTH} (starts with ${quote(value)})`,
			'Use a shorter, stable ID such as a file name or a database key.',
		);
	}
	return value;
}

/** The problem of an item whose reference ID an earlier item of the same dataset already uses. */
export function duplicateReferenceId(
	itemIndex: number,
	referenceId: string,
	firstItemIndex: number,
): ItemProblem {
	return aboutReference(
		problem(
			itemIndex,
			'Reference ID',
			`Item ${itemIndex}: Reference ID ${quote(referenceId)} is already used by item ${firstItemIndex}`,
			'Reference IDs must be unique within one append, because Nucleus identifies items by reference ID. Remove the duplicate input item or make the IDs unique (e.g. add a suffix).',
		),
		referenceId,
	);
}

export function findDuplicateReferenceIds(
	refs: Array<{ itemIndex: number; referenceId: string }>,
): ItemProblem[] {
	const firstSeen = new Map<string, number>();
	const problems: ItemProblem[] = [];
	for (const { itemIndex, referenceId } of refs) {
		const first = firstSeen.get(referenceId);
		if (first === undefined) firstSeen.set(referenceId, itemIndex);
		else problems.push(duplicateReferenceId(itemIndex, referenceId, first));
	}
	return problems;
}

// ---------------------------------------------------------------------------------------------
// Image URL

const SUPPORTED_SCHEMES_TEXT = 'http://, https://, s3:// or gs://';

export function imageUrlScheme(url: string): ImageScheme | undefined {
	const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(url.trim());
	if (!m) return undefined;
	const scheme = m[1].toLowerCase();
	return scheme === 'http' || scheme === 'https' || scheme === 's3' || scheme === 'gs'
		? scheme
		: undefined;
}

/** "Item N: Image URL", built only when a message needs it (not once per valid item). */
function imageUrlField(itemIndex: number): string {
	return `Item ${itemIndex}: Image URL`;
}

/**
 * URLs the checks below accept, as one test without allocation: no whitespace anywhere (so the
 * value is its own trimmed form), `//` then a host (http, https) or a bucket name and a non-empty
 * key (s3, gs). Anything else takes the full path, which names what is wrong.
 */
const PLAIN_HTTP_URL = /^https?:\/\/[^/\s]\S*$/i;
const PLAIN_BUCKET_URL = /^(?:s3|gs):\/\/[a-zA-Z0-9][a-zA-Z0-9._-]*\/\S+$/i;

export function validateImageUrl(value: unknown, itemIndex: number): string | ItemProblem {
	if (typeof value === 'string') {
		if (PLAIN_BUCKET_URL.test(value)) return value;
		if (PLAIN_HTTP_URL.test(value) && URL.canParse(value)) return value;
	}
	const field = 'Image URL';
	const localHint =
		"For a file on the n8n host or binary data from a previous node, set 'Mode' to 'Local File'.";
	if (value === undefined || value === null) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} is missing`,
			`Set 'Image URL' to an expression that gives the image location (${SUPPORTED_SCHEMES_TEXT}), e.g. {{ $json.url }}.`,
		);
	}
	if (typeof value !== 'string') {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} must be text, but got ${describeValue(value)}`,
			`Use an expression that gives the image location as text (${SUPPORTED_SCHEMES_TEXT}).`,
		);
	}
	const url = value.trim();
	if (url.length === 0) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} is empty`,
			`Set 'Image URL' to the image location (${SUPPORTED_SCHEMES_TEXT}).`,
		);
	}
	const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
	// "C:\images\cat.jpg" or "C:/images/cat.jpg" is a Windows path, not a URL with scheme "c".
	const isWindowsPath = schemeMatch !== null && /^[a-zA-Z]:[\\/]/.test(url);
	if (!schemeMatch || isWindowsPath) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is not a URL; Nucleus needs ${SUPPORTED_SCHEMES_TEXT}`,
			`Use a full URL such as https://example.com/cat.jpg or s3://bucket/cat.jpg. ${localHint}`,
		);
	}
	const scheme = schemeMatch[1].toLowerCase();
	if (scheme === 'gcs') {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} uses gcs://, which Nucleus does not accept; use gs:// for Google Cloud Storage`,
			'Write Google Cloud Storage locations as gs://bucket/path/to/image.jpg.',
		);
	}
	if (scheme === 'file') {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is a local file URL; Nucleus can only fetch ${SUPPORTED_SCHEMES_TEXT}`,
			`${localHint} Remote mode never reads files from the n8n host.`,
		);
	}
	if (scheme !== 'http' && scheme !== 'https' && scheme !== 's3' && scheme !== 'gs') {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} uses the unsupported scheme '${truncate(scheme, 20)}://'; Nucleus accepts ${SUPPORTED_SCHEMES_TEXT}`,
			`Host the image where Nucleus can fetch it (${SUPPORTED_SCHEMES_TEXT}). ${localHint}`,
		);
	}
	const rest = url.slice(schemeMatch[0].length);
	if (!rest.startsWith('//') || rest.startsWith('///')) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is malformed: expected ${scheme}:// followed by a ${scheme === 'http' || scheme === 'https' ? 'host' : 'bucket'}`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (/\s/.test(url)) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} contains whitespace`,
			'Percent-encode spaces in the URL (%20) or fix the expression that builds it.',
		);
	}
	if (scheme === 'http' || scheme === 'https') {
		// The WHATWG parser refuses an http(s) URL without a host, so parsing is the whole check;
		// URL.canParse does it without building a URL object per item.
		if (!URL.canParse(url)) {
			return problem(
				itemIndex,
				field,
				`${imageUrlField(itemIndex)} ${quote(url)} is not a valid URL (no host or malformed)`,
				`Write it as ${exampleFor(scheme)}.`,
			);
		}
		return url;
	}
	// s3:// and gs://: bucket and object key are both required.
	const m = /^[a-zA-Z0-9]+:\/\/([^/?#]*)(?:\/(.*))?$/.exec(url);
	const bucket = m?.[1] ?? '';
	const key = m?.[2] ?? '';
	if (bucket.length === 0) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} has no bucket name`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(bucket)) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} has an invalid bucket name ${quote(bucket)}`,
			`Bucket names use letters, digits, dots, hyphens and underscores. Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (key.length === 0) {
		return problem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} names a bucket but no image (object key)`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	return url;
}

function exampleFor(scheme: string): string {
	switch (scheme) {
		case 's3':
			return 's3://my-bucket/path/to/image.jpg';
		case 'gs':
			return 'gs://my-bucket/path/to/image.jpg';
		default:
			return `${scheme}://example.com/path/to/image.jpg`;
	}
}

// ---------------------------------------------------------------------------------------------
// Metadata

const METADATA_FIX_OBJECT =
	'Metadata must be a JSON object such as { "camera": "front", "score": 0.9 }. Wrap lists or single values in an object, e.g. { "tags": [...] }.';

function formatPath(path: Array<string | number>): string {
	let out = '';
	for (const part of path) {
		if (typeof part === 'number') out += `[${part}]`;
		else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(part)) out += out.length === 0 ? part : `.${part}`;
		else out += `[${JSON.stringify(truncate(part, 40))}]`;
	}
	return truncate(out);
}

class MetadataValueError {
	constructor(
		readonly path: Array<string | number>,
		readonly what: string,
		readonly fix: string,
	) {}
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
	if (key === '__proto__') {
		Object.defineProperty(target, key, {
			value,
			enumerable: true,
			writable: true,
			configurable: true,
		});
	} else {
		target[key] = value;
	}
}

function hasToJSON(value: object): value is { toJSON: (key?: string) => unknown } {
	return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

/**
 * Where cleanValue is: the key path from the metadata root and the objects on it (to find circular
 * references). One walk per item shares it, pushing and popping as it descends, so a valid item
 * costs no array per key: a path is only copied when a value is refused (100,000 items with
 * metadata made ~1 KB of garbage each before, which n8n's heap had to absorb).
 */
interface Walk {
	path: Array<string | number>;
	ancestors: object[];
}

function refusal(walk: Walk, what: string, fix: string): MetadataValueError {
	return new MetadataValueError([...walk.path], what, fix);
}

/** True for values JSON takes as they are: strings, booleans and finite numbers (and null). */
function isPlainScalar(value: unknown): boolean {
	return (
		typeof value === 'string' ||
		typeof value === 'boolean' ||
		value === null ||
		(typeof value === 'number' && Number.isFinite(value))
	);
}

/**
 * Returns a JSON-safe copy of `value`; throws MetadataValueError (internal) on the first
 * value Nucleus cannot take.
 */
function cleanValue(value: unknown, walk: Walk): unknown {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			if (Number.isNaN(value)) {
				throw refusal(
					walk,
					'is NaN; Nucleus only accepts finite numbers',
					'Remove the field, or send null or a string instead.',
				);
			}
			if (!Number.isFinite(value)) {
				throw refusal(
					walk,
					`is ${value > 0 ? 'Infinity' : '-Infinity'}; Nucleus only accepts finite numbers`,
					'Remove the field, or send null or a string instead.',
				);
			}
			return value;
		case 'bigint':
			throw refusal(
				walk,
				`is a BigInt (${truncate(String(value))})`,
				'Convert it to a number (if it is within ±9007199254740991) or to a string, e.g. {{ String($json.big) }}.',
			);
		case 'function':
			throw refusal(
				walk,
				'is a function',
				'Metadata can only hold text, numbers, booleans, null, lists and objects.',
			);
		case 'symbol':
			throw refusal(
				walk,
				'is a symbol',
				'Metadata can only hold text, numbers, booleans, null, lists and objects.',
			);
		case 'undefined':
			return undefined;
	}
	if (value === null) return null;
	const obj = value as object;
	if (walk.ancestors.length > MAX_METADATA_DEPTH) {
		throw refusal(
			walk,
			`is nested more than ${MAX_METADATA_DEPTH} levels deep`,
			'Flatten the metadata.',
		);
	}
	if (walk.ancestors.includes(obj)) {
		throw refusal(
			walk,
			'is a circular reference (it contains itself)',
			'Remove the self-reference: build a new object with only the fields you need.',
		);
	}
	if (obj instanceof Date) {
		if (Number.isNaN(obj.getTime())) {
			throw refusal(walk, 'is an invalid date', 'Send a valid date or an ISO date string.');
		}
		return obj.toISOString();
	}
	if (isBinary(obj)) {
		throw refusal(
			walk,
			'is binary data',
			'Metadata cannot hold binary data; send a string (e.g. base64) or leave the field out.',
		);
	}
	if (
		obj instanceof Map ||
		obj instanceof Set ||
		obj instanceof WeakMap ||
		obj instanceof WeakSet
	) {
		throw refusal(
			walk,
			`is a ${obj instanceof Map || obj instanceof WeakMap ? 'Map' : 'Set'}`,
			'Convert it to a plain object or list first (e.g. Object.fromEntries(map) or [...set]).',
		);
	}
	if (obj instanceof RegExp || obj instanceof Promise || obj instanceof Error) {
		throw refusal(
			walk,
			`is a ${obj.constructor.name}`,
			'Metadata can only hold text, numbers, booleans, null, lists and objects.',
		);
	}
	walk.ancestors.push(obj);
	let out: unknown;
	if (Array.isArray(obj)) {
		const list: unknown[] = new Array(obj.length);
		for (let i = 0; i < obj.length; i++) {
			const item: unknown = obj[i];
			if (isPlainScalar(item)) {
				list[i] = item;
				continue;
			}
			walk.path.push(i);
			const v = cleanValue(item, walk);
			walk.path.pop();
			list[i] = v === undefined ? null : v;
		}
		out = list;
	} else if (hasToJSON(obj)) {
		// e.g. Luxon DateTime from n8n expressions: use its JSON form (an ISO string).
		out = cleanValue(obj.toJSON(), walk);
	} else {
		out = cleanObject(obj as Record<string, unknown>, walk);
	}
	walk.ancestors.pop();
	return out;
}

/**
 * The JSON-safe copy of a plain object's own enumerable keys, without the keys in `skip`. The root
 * call has no walk yet: it is made at the first value that is not a plain scalar, so flat metadata
 * (the usual kind) costs one object per item, its copy.
 */
function cleanObject(
	obj: Record<string, unknown>,
	parentWalk: Walk | undefined,
	skip?: ReadonlySet<string>,
): Record<string, unknown> {
	let walk = parentWalk;
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(obj)) {
		if (skip?.has(key)) continue;
		const value = obj[key];
		if (isPlainScalar(value)) {
			setOwn(out, key, value);
			continue;
		}
		walk ??= { path: [], ancestors: [obj] };
		walk.path.push(key);
		const v = cleanValue(value, walk);
		walk.path.pop();
		if (v !== undefined) setOwn(out, key, v);
	}
	return out;
}

/** An object made by `{}`, JSON.parse or Object.create(null): its own keys are all there is to it. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

function isPlainObjectLike(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
	if (value instanceof Date || isBinary(value) || value instanceof Map || value instanceof Set) {
		return false;
	}
	return true;
}

/**
 * Validates metadata and returns a JSON-safe copy. `undefined` values are dropped; Dates become
 * ISO strings. Anything else Nucleus cannot store is a problem naming the key path.
 */
export function normalizeMetadata(
	value: unknown,
	itemIndex: number,
	/** Top-level keys left out (All Other Fields' exclusions), so the item's JSON is copied once. */
	skip?: ReadonlySet<string>,
): Record<string, unknown> | ItemProblem {
	const field = 'Metadata';
	if (isPlainObjectLike(value) && hasToJSON(value)) {
		try {
			value = value.toJSON();
		} catch {
			// reported below as "must be an object"
		}
	}
	if (!isPlainObjectLike(value) || hasToJSON(value)) {
		const got = describeValue(value);
		const extra =
			typeof value === 'string'
				? ' If the text is JSON, choose the JSON metadata option or parse it with {{ JSON.parse(...) }}.'
				: '';
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be an object, but got ${got}`,
			`${METADATA_FIX_OBJECT}${extra}`,
		);
	}
	try {
		if (isPlainRecord(value)) return cleanObject(value, undefined, skip);
		const source = skip ? metadataFromOtherFields(value as IDataObject, [...skip]) : value;
		return cleanValue(source, { path: [], ancestors: [] }) as Record<string, unknown>;
	} catch (error) {
		if (error instanceof MetadataValueError) {
			const name = error.path.length > 0 ? `${field} field '${formatPath(error.path)}'` : field;
			return problem(itemIndex, field, `Item ${itemIndex}: ${name} ${error.what}`, error.fix);
		}
		if (error instanceof RangeError) {
			return problem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} is nested too deeply to process`,
				'Flatten the metadata.',
			);
		}
		// A getter or toJSON that throws: report it as a bad value, not as a crash.
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} could not be read (${truncate(String((error as Error)?.message ?? error))})`,
			METADATA_FIX_OBJECT,
		);
	}
}

/**
 * Parses the "JSON" metadata parameter. Empty text means no metadata (`{}`); an object passed
 * directly (n8n may resolve a JSON parameter to an object) is validated as is.
 */
export function parseMetadataJson(
	text: unknown,
	itemIndex: number,
): Record<string, unknown> | ItemProblem {
	const field = 'Metadata';
	if (text === undefined || text === null) return {};
	if (typeof text !== 'string') return normalizeMetadata(text, itemIndex);
	if (text.trim().length === 0) return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} is not valid JSON (${truncate(String((error as Error).message))}): ${quote(text)}`,
			`${METADATA_FIX_OBJECT} Keys and strings need double quotes.`,
		);
	}
	return normalizeMetadata(parsed, itemIndex);
}

/** "All other fields": the input item's JSON without the excluded top-level keys (shallow copy). */
export function metadataFromOtherFields(
	json: IDataObject,
	exclude: string[],
): Record<string, unknown> {
	const skip = new Set(exclude);
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(json)) {
		if (!skip.has(key)) setOwn(out, key, json[key]);
	}
	return out;
}

/** "Key-value fields": builds an object from rows, each value as its row's Type; empty and
 * repeated keys and values not of their Type are problems. */
export function metadataFromKeyValues(
	pairs: Array<{ key: string; type?: unknown; value: unknown }>,
	itemIndex: number,
): Record<string, unknown> | ItemProblem {
	const field = 'Metadata';
	const out: Record<string, unknown> = {};
	const rowOf = new Map<string, number>();
	for (let row = 0; row < pairs.length; row++) {
		const { key, value } = pairs[row] ?? { key: undefined, value: undefined };
		if (typeof key !== 'string' || key.trim().length === 0) {
			return problem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} field ${row + 1} has an empty key`,
				'Give every metadata field a name, or remove the empty row.',
			);
		}
		const earlier = rowOf.get(key);
		if (earlier !== undefined) {
			return problem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} key ${quote(key)} is set twice (fields ${earlier + 1} and ${row + 1})`,
				'Use each metadata key once; remove or rename one of the fields.',
			);
		}
		rowOf.set(key, row);
		const typed = metadataFieldValue(value, pairs[row].type);
		if ('refused' in typed) {
			return problem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} key ${quote(key)}: the value ${typed.refused}`,
				'Give a value of the Type chosen for the field, or change its Type.',
			);
		}
		setOwn(out, key, typed.value);
	}
	return normalizeMetadata(out, itemIndex);
}

// ---------------------------------------------------------------------------------------------
// Width / Height

export function validateDimension(
	value: unknown,
	field: 'Width' | 'Height',
	itemIndex: number,
): number | undefined | ItemProblem {
	if (value === undefined || value === null) return undefined;
	const fix = `${field} is the image size in pixels, a whole number of at least 1 (needed for privacy-mode datasets). Leave it empty to not send it.`;
	let n: number;
	if (typeof value === 'string') {
		const t = value.trim();
		if (t.length === 0) return undefined;
		if (!/^\d+$/.test(t)) {
			return problem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} must be a positive whole number, but got ${describeValue(value)}`,
				fix,
			);
		}
		n = Number(t);
	} else if (typeof value === 'number') {
		n = value;
	} else {
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be a positive whole number, but got ${describeValue(value)}`,
			fix,
		);
	}
	if (!Number.isFinite(n) || !Number.isInteger(n) || n < 1 || n > MAX_DIMENSION) {
		const why = !Number.isFinite(n)
			? 'is not a finite number'
			: !Number.isInteger(n)
				? 'has a fraction'
				: n < 1
					? n === 0
						? 'is zero'
						: 'is negative'
					: `is larger than ${MAX_DIMENSION}`;
		return problem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be a positive whole number, but ${truncate(String(value))} ${why}`,
			fix,
		);
	}
	return n;
}

// ---------------------------------------------------------------------------------------------
// One item

/** A Nucleus dataset ID, as the By ID mode of the dataset picker accepts it (shared/descriptions.ts). */
const DATASET_ID = /^ds_[A-Za-z0-9_-]+$/;

/** The checked values of one item (the image source of a local item is checked in localSource.ts). */
export interface ValidItem {
	itemIndex: number;
	datasetId: string;
	referenceId: string;
	metadata: Record<string, unknown> | ItemMetadata;
	width?: number;
	height?: number;
	/** Remote items: the checked URL. Local items: the file name, set when the source is checked. */
	imageUrl: string;
}

export function validateDatasetId(value: unknown, itemIndex: number): string | ItemProblem {
	const datasetId = String(value ?? '').trim();
	if (!datasetId) return problem(itemIndex, 'Dataset', `Item ${itemIndex}: Dataset is empty`);
	// Same rule as the By ID mode of the dataset picker, which n8n does not apply to expressions.
	if (!DATASET_ID.test(datasetId)) {
		return problem(
			itemIndex,
			'Dataset',
			`Item ${itemIndex}: Dataset ID "${truncate(datasetId)}" is not a Nucleus dataset ID`,
			'Dataset IDs start with "ds_" followed by letters and digits, e.g. ds_bw6de8s84pe0vbn6p5zg. Pick the dataset from the list or copy its ID from Nucleus.',
		);
	}
	return datasetId;
}

export function validateMetadata(
	input: MetadataInput,
	json: IDataObject,
	itemIndex: number,
): Record<string, unknown> | ItemProblem {
	if (input.mode === 'none') return {};
	if (input.mode === 'allFields') {
		return normalizeMetadata(json, itemIndex, input.skip);
	}
	if (input.mode === 'json') {
		const parsed =
			typeof input.value === 'string' ? parseMetadataJson(input.value, itemIndex) : input.value;
		if (isProblem(parsed)) return parsed;
		return normalizeMetadata(parsed, itemIndex);
	}
	const pairs = (Array.isArray(input.pairs) ? input.pairs : []) as Array<{
		key: string;
		type?: unknown;
		value: unknown;
	}>;
	const fromPairs = metadataFromKeyValues(pairs, itemIndex);
	if (isProblem(fromPairs)) return fromPairs;
	return normalizeMetadata(fromPairs, itemIndex);
}

/**
 * True when `JSON.stringify` of `value` is what Nucleus would get from normalizeMetadata's copy:
 * only plain objects (no `toJSON`) and arrays, holding strings, booleans, null, finite numbers or
 * undefined (left out, or null in arrays, by both), no cycle, no deeper than the limit. Reads and
 * allocates nothing else; anything it does not know takes the copying path, which also names what
 * is wrong.
 */
function isJsonAsIs(value: unknown, ancestors: unknown[], skip?: ReadonlySet<string>): boolean {
	if (value === undefined || isPlainScalar(value)) return true;
	if (typeof value !== 'object' || value === null) return false;
	if (ancestors.length > MAX_METADATA_DEPTH || ancestors.includes(value)) return false;
	if (hasToJSON(value)) return false;
	ancestors.push(value);
	let ok = true;
	if (Array.isArray(value)) {
		for (let i = 0; ok && i < value.length; i++) ok = isJsonAsIs(value[i], ancestors);
	} else if (isPlainRecord(value)) {
		for (const key of Object.keys(value)) {
			if (skip?.has(key)) continue;
			const v = value[key];
			if (!(v === undefined || isPlainScalar(v) || isJsonAsIs(v, ancestors))) {
				ok = false;
				break;
			}
		}
	} else ok = false;
	ancestors.pop();
	return ok;
}

/**
 * Append's metadata: All Other Fields that are JSON as they are stay the item's own JSON, read in
 * place when the items are written (ItemMetadata); anything else is validateMetadata's checked copy.
 */
function validateAppendMetadata(
	input: MetadataInput,
	json: IDataObject,
	itemIndex: number,
): Record<string, unknown> | ItemMetadata | ItemProblem {
	if (input.mode === 'allFields' && isPlainRecord(json) && isJsonAsIs(json, [], input.skip)) {
		return new ItemMetadata(json, input.skip);
	}
	return validateMetadata(input, json, itemIndex);
}

/** Checks every value read for one item; the first problem found is returned. */
export function validateItemInput(input: ItemInput, json: IDataObject): ValidItem | ItemProblem {
	const { itemIndex } = input;
	const datasetId = validateDatasetId(input.datasetId, itemIndex);
	if (isProblem(datasetId)) return datasetId;
	const referenceId = validateReferenceId(input.referenceId, itemIndex);
	if (isProblem(referenceId)) return referenceId;
	const metadata = validateAppendMetadata(input.metadata, json, itemIndex);
	if (isProblem(metadata)) return aboutReference(metadata, referenceId);
	const width = validateDimension(input.width, 'Width', itemIndex);
	if (isProblem(width)) return aboutReference(width, referenceId);
	const height = validateDimension(input.height, 'Height', itemIndex);
	if (isProblem(height)) return aboutReference(height, referenceId);
	let imageUrl = '';
	if (input.kind === 'remote') {
		const url = validateImageUrl(input.imageUrl, itemIndex);
		if (isProblem(url)) return aboutReference(url, referenceId);
		imageUrl = url;
	}
	const valid: ValidItem = { itemIndex, datasetId, referenceId, metadata, imageUrl };
	if (width !== undefined) valid.width = width;
	if (height !== undefined) valid.height = height;
	return valid;
}
