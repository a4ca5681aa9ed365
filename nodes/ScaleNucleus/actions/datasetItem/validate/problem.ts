/**
 * What a failed check gives: a problem with one input item, found before anything is sent. It
 * names the item (0-based, as n8n shows it), the field the user knows, what is wrong and how to
 * fix it. The operation turns it into a NodeOperationError with `itemIndex`, or into an error item
 * with On Error → Continue (actions/invalidItems.ts). Also how the checks describe the values they
 * refuse, so every message says "got …" the same way.
 */
import { shorten } from '../../../../shared/text';
import { redactText } from '../../../../shared/transport/redact';

/** One problem found before sending. */
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

/** Every problem's texts lose URL user info: they quote the values they refuse (Image URL, metadata). */
export function redactedProblem(
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

const PREVIEW_LENGTH = 80;

export function truncate(text: string, max = PREVIEW_LENGTH): string {
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

export function quote(text: string): string {
	return `'${truncate(text)}'`;
}

export function isBinary(value: unknown): boolean {
	return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}
