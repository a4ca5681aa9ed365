/**
 * Number parameters and options, checked where they are read: a field set to an expression can give
 * anything (text, NaN, Infinity, a negative number), and n8n's minValue/maxValue only guard what is
 * typed into the field. Shared by every operation of both nodes, so each says the same thing:
 * `Limit must be a whole number of at least 1, but is '0'`.
 */
import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { oneLine } from './text';

export interface NumberRange {
	min: number;
	max?: number;
	/** Only whole numbers. */
	whole?: boolean;
}

function shown(raw: unknown): string {
	if (typeof raw === 'object' && raw !== null) {
		try {
			return oneLine(JSON.stringify(raw), 40);
		} catch {
			return oneLine(String(raw), 40);
		}
	}
	return oneLine(String(raw), 40);
}

/** "a whole number from 1 to 64" / "a number of at least 0.1". */
export function describeRange(range: NumberRange): string {
	const kind = range.whole ? 'a whole number' : 'a number';
	return range.max !== undefined
		? `${kind} from ${range.min} to ${range.max}`
		: `${kind} of at least ${range.min}`;
}

/** The number `raw` stands for when it is in range (numeric text is read too), else undefined. */
export function numberInRange(raw: unknown, range: NumberRange): number | undefined {
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
	const ok =
		typeof value === 'number' &&
		Number.isFinite(value) &&
		value >= range.min &&
		(range.max === undefined || value <= range.max) &&
		(!range.whole || Number.isInteger(value));
	return ok ? (value as number) : undefined;
}

/**
 * Checks a value already read: empty (undefined, null, '') gives `fallback`; anything else must be
 * in range, or a NodeOperationError names the field and the value.
 */
export function checkNumber(
	node: INode,
	raw: unknown,
	label: string,
	fallback: number,
	range: NumberRange,
	context: { itemIndex?: number; description?: string } = {},
): number {
	if (raw === undefined || raw === null || raw === '') return fallback;
	const value = numberInRange(raw, range);
	if (value === undefined) {
		throw new NodeOperationError(
			node,
			`${label} must be ${describeRange(range)}, but is '${shown(raw)}'`,
			{ itemIndex: context.itemIndex, description: context.description ?? 'Nothing was sent.' },
		);
	}
	return value;
}

/**
 * An option of an Options collection (`options[name]`), checked: `Option Concurrency must be a whole
 * number from 1 to 64, but is 'many'`.
 */
export function numberOption(
	ctx: { getNode(): INode },
	options: IDataObject,
	name: string,
	label: string,
	fallback: number,
	range: NumberRange,
): number {
	return checkNumber(ctx.getNode(), options[name], `Option ${label}`, fallback, range);
}
