/**
 * How each Metadata mode gives the object the metadata rules (metadata.ts) check: JSON text, Fields
 * Below (key-value rows: an empty key or a key given twice is refused, no silent "last wins" that
 * would hide a typo), or All Other Fields (the item's JSON less Fields to Exclude). For Append, All
 * Other Fields that are JSON as they are stay the item's own JSON (ItemMetadata), not copied.
 */
import type { IDataObject } from 'n8n-workflow';

import type { MetadataInput } from '../shared/itemParameters';
import {
	isJsonAsIs,
	METADATA_FIX_OBJECT,
	normalizeMetadata,
	setOwn,
	withoutKeys,
} from './metadata';
import { metadataFieldValue } from './metadataFieldValue';
import { isProblem, quote, redactedProblem, truncate, type ItemProblem } from './problem';

/**
 * Metadata that is an input item's own JSON as it is, less some top-level keys (All Other Fields'
 * exclusions), already checked (isJsonAsIs) to be JSON Nucleus takes. It is not copied: 100,000
 * copies of item fields are garbage n8n's heap has to take in (measured: about 60 MB more resident
 * memory for a 100,000-item append in n8n 2.41 than writing the lines from the items directly).
 * The NDJSON writer (append/datasetItem.ts) reads it in place; anything else that serialises it
 * (the multipart `items` part, JSON bodies) gets a copy from `toJSON`, a few items at a time.
 */
export class ItemMetadata {
	constructor(
		readonly source: Readonly<Record<string, unknown>>,
		readonly skip: ReadonlySet<string>,
	) {}

	/** The copy for anything but the NDJSON writer: the fields less the excluded keys. */
	toJSON(): Record<string, unknown> {
		return withoutKeys(this.source, this.skip);
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
		return redactedProblem(
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
	return withoutKeys(json, new Set(exclude));
}

/**
 * "Key-value fields": builds an object from rows, each value as its row's Type; empty and repeated
 * keys and values not of their Type are problems.
 */
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
			return redactedProblem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} field ${row + 1} has an empty key`,
				'Give every metadata field a name, or remove the empty row.',
			);
		}
		const earlier = rowOf.get(key);
		if (earlier !== undefined) {
			return redactedProblem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} key ${quote(key)} is set twice (fields ${earlier + 1} and ${row + 1})`,
				'Use each metadata key once; remove or rename one of the fields.',
			);
		}
		rowOf.set(key, row);
		const typed = metadataFieldValue(value, pairs[row].type);
		if ('refused' in typed) {
			return redactedProblem(
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
 * Append's metadata: All Other Fields that are JSON as they are stay the item's own JSON, read in
 * place when the items are written (ItemMetadata); anything else is validateMetadata's checked copy.
 */
export function validateAppendMetadata(
	input: MetadataInput,
	json: IDataObject,
	itemIndex: number,
): Record<string, unknown> | ItemMetadata | ItemProblem {
	if (input.mode === 'allFields' && isJsonAsIs(json, input.skip)) {
		return new ItemMetadata(json, input.skip);
	}
	return validateMetadata(input, json, itemIndex);
}
