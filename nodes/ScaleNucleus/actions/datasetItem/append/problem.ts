/**
 * A problem with one input item, found before anything is sent: it names the item, the field the
 * user knows, what is wrong and how to fix it. The operation turns it into a NodeOperationError
 * with `itemIndex`, or into an error item with On Error → Continue.
 */
export interface ItemProblem {
	/** 0-based index of the input item, as n8n shows it. */
	itemIndex: number;
	/** User-facing parameter name, e.g. 'Reference ID', 'Image URL', 'Metadata', 'Width'. */
	field: string;
	/** Full sentence naming the item and the field. */
	message: string;
	/** How to fix it. */
	description?: string;
	/** The item's reference ID, once it has been checked (error items carry it, for routing). */
	referenceId?: string;
}

const PROBLEM_BRAND = Symbol.for('n8n-nodes-scale-nucleus.ItemProblem');

/**
 * Creates an ItemProblem. Prefer this over an object literal: the hidden brand lets `isProblem`
 * tell a problem from user metadata that happens to have the same keys.
 */
export function itemProblem(
	itemIndex: number,
	field: string,
	message: string,
	description?: string,
): ItemProblem {
	const p: ItemProblem = { itemIndex, field, message };
	if (description !== undefined) p.description = description;
	// Non-enumerable: never shows in output or in deep-equality checks.
	Object.defineProperty(p, PROBLEM_BRAND, { value: true, enumerable: false });
	return p;
}

/** The problem, marked as being about the item with this (already checked) reference ID. */
export function aboutReference(p: ItemProblem, referenceId: string): ItemProblem {
	p.referenceId = referenceId;
	return p;
}

/** True only for problems made by `itemProblem` (the hidden brand is checked, not the keys). */
export function isProblem(x: unknown): x is ItemProblem {
	if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
	const r = x as Record<string | symbol, unknown>;
	return r[PROBLEM_BRAND] === true;
}
