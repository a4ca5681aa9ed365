/**
 * The check of Width and Height (options of Append): empty means not sent; otherwise a whole
 * number from 1 to 2,147,483,647, given as a number or a string of digits.
 */
import { describeValue, redactedProblem, truncate, type ItemProblem } from './problem';

export const MAX_DIMENSION = 2_147_483_647;

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
			return redactedProblem(
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
		return redactedProblem(
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
		return redactedProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be a positive whole number, but ${truncate(String(value))} ${why}`,
			fix,
		);
	}
	return n;
}
