/**
 * The checks of an item's identifiers: the dataset it goes to and its reference ID, and reference
 * IDs repeated within one run (Append and Update Metadata both refuse them), and IDs of one run
 * that only look alike (both warn about them, and send them as given).
 *
 * Reference ID: must be a string (whole numbers become their decimal text; other numbers are
 * rejected: convert with `{{ String(...) }}`, so leading zeros and large IDs are never mangled), not
 * empty or whitespace-only, at most 1024 characters. The value is sent exactly as given (never
 * trimmed). IDs are compared exactly (case-sensitive) when looking for duplicates.
 */
import { redactText } from '../../../../shared/transport/redact';
import {
	aboutReference,
	describeValue,
	quote,
	redactedProblem,
	truncate,
	type ItemProblem,
} from './problem';

export const MAX_REFERENCE_ID_LENGTH = 1024;

/** A Nucleus dataset ID, as the By ID mode of the dataset picker accepts it (shared/descriptions.ts). */
const DATASET_ID = /^ds_[A-Za-z0-9_-]+$/;

export function validateDatasetId(value: unknown, itemIndex: number): string | ItemProblem {
	const datasetId = String(value ?? '').trim();
	if (!datasetId)
		return redactedProblem(itemIndex, 'Dataset', `Item ${itemIndex}: Dataset is empty`);
	// Same rule as the By ID mode of the dataset picker, which n8n does not apply to expressions.
	if (!DATASET_ID.test(datasetId)) {
		return redactedProblem(
			itemIndex,
			'Dataset',
			`Item ${itemIndex}: Dataset ID "${truncate(datasetId)}" is not a Nucleus dataset ID`,
			'Dataset IDs start with "ds_" followed by letters and digits, e.g. ds_bw6de8s84pe0vbn6p5zg. Pick the dataset from the list or copy its ID from Nucleus.',
		);
	}
	return datasetId;
}

export function validateReferenceId(value: unknown, itemIndex: number): string | ItemProblem {
	const field = 'Reference ID';
	const fix =
		"Set 'Reference ID' to an expression that gives every item its own ID, e.g. {{ $json.id }}.";
	if (value === undefined || value === null) {
		return redactedProblem(itemIndex, field, `Item ${itemIndex}: ${field} is missing`, fix);
	}
	// Whole numbers (a numeric `id` column) are taken as their decimal text.
	if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
	if (typeof value !== 'string') {
		const hint =
			typeof value === 'number' || typeof value === 'bigint'
				? ' Convert it to text, e.g. {{ String($json.id) }}, so it is stored exactly as you mean it (numbers lose leading zeros).'
				: ' Use an expression that gives a text value, e.g. {{ $json.id }}.';
		return redactedProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be text, but got ${describeValue(value)}`,
			`Nucleus reference IDs are strings.${hint}`,
		);
	}
	if (value.trim().length === 0) {
		return redactedProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} is empty`,
			`${fix} Empty or whitespace-only IDs are not accepted.`,
		);
	}
	if (value.length > MAX_REFERENCE_ID_LENGTH) {
		return redactedProblem(
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
		redactedProblem(
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

/**
 * What a reference ID looks like to a person: Unicode canonical form (NFC: "é" typed as one
 * character or as "e" plus a combining accent), without surrounding whitespace or invisible
 * characters (zero-width space, joiners, byte order mark). Nucleus compares IDs exactly, so two IDs
 * with one look are two items; the run sends both as given and warns (`lookAlikeReferenceIds`).
 */
export function referenceIdLook(referenceId: string): string {
	return referenceId
		.normalize('NFC')
		.replace(/[\u200b-\u200d\u2060\ufeff]/g, '')
		.trim();
}

export interface LookAlikePair {
	datasetId: string;
	first: { itemIndex: number; referenceId: string };
	second: { itemIndex: number; referenceId: string };
}

/**
 * Pairs of items of one dataset whose reference IDs differ but look the same (`referenceIdLook`):
 * each later item is paired with the first item of that look. Exact duplicates are not pairs here
 * (they are refused, `findDuplicateReferenceIds`).
 */
export function lookAlikeReferenceIds(
	refs: Iterable<{ itemIndex: number; datasetId: string; referenceId: string }>,
): LookAlikePair[] {
	const firstByLook = new Map<string, { itemIndex: number; referenceId: string }>();
	const pairs: LookAlikePair[] = [];
	for (const { itemIndex, datasetId, referenceId } of refs) {
		const look = referenceIdLook(referenceId);
		// The dataset ID is a Nucleus ID (no spaces), so a space keeps the two parts of the key apart.
		const key = `${datasetId} ${look}`;
		const first = firstByLook.get(key);
		if (first === undefined) firstByLook.set(key, { itemIndex, referenceId });
		else if (first.referenceId !== referenceId) {
			pairs.push({ datasetId, first, second: { itemIndex, referenceId } });
		}
	}
	return pairs;
}

/** A reference ID with every character outside printable ASCII escaped, so the difference shows. */
function visible(referenceId: string): string {
	const escaped = truncate(referenceId).replace(
		/[^\x20-\x7e]/g,
		(c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
	);
	return `"${escaped}"`;
}

/** Most pairs one warning names; the rest are counted. */
const MAX_PAIRS_SHOWN = 10;

/** The warning for look-alike pairs, naming both items of each, or undefined when there are none. */
export function lookAlikeWarning(pairs: LookAlikePair[]): string | undefined {
	if (!pairs.length) return undefined;
	const shown = pairs
		.slice(0, MAX_PAIRS_SHOWN)
		.map(
			(p) =>
				`items ${p.first.itemIndex} and ${p.second.itemIndex} (${visible(p.first.referenceId)} and ${visible(p.second.referenceId)} in dataset ${p.datasetId})`,
		);
	const more = pairs.length > MAX_PAIRS_SHOWN ? ` and ${pairs.length - MAX_PAIRS_SHOWN} more` : '';
	return redactText(
		`Reference IDs that differ only in spaces, invisible characters or Unicode form: ${shown.join('; ')}${more}. Nucleus compares reference IDs exactly, so each was sent as given and becomes its own item; make them equal if they name one image.`,
	);
}
