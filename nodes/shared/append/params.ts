import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';

/**
 * Per-item parameter reads for large inputs. n8n evaluates every expression in a sandbox, which costs
 * about a quarter of a millisecond per call (most of the time of a 100,000-item append). Two cases
 * give exactly what `getNodeParameter` gives, without evaluating anything per item:
 *  - a parameter with no expression anywhere is the same for every item: read it once;
 *  - a parameter that is only a path into the item's own JSON, such as `={{ $json.reference_id }}` or
 *    `={{ $json["file name"] }}`, is looked up in the input item directly when every step of the path
 *    is an own property and the value is a string, number or boolean.
 * Anything else (other expressions, missing keys, null, objects, arrays) goes through
 * `getNodeParameter` as usual, so errors and edge cases stay n8n's own.
 */

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const SIMPLE_PATH =
	/^=\{\{\s*\$json((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*(?:'[^'\\\n]*'|"[^"\\\n]*"|\d+)\s*\])+)\s*\}\}$/;
const PATH_STEP = /\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\\n]*)'|"([^"\\\n]*)"|(\d+))\s*\]/g;

/** The keys of a `={{ $json.a["b"][0] }}` expression, or undefined when it is anything else. */
export function parseJsonPathExpression(value: unknown): string[] | undefined {
	if (typeof value !== 'string') return undefined;
	const match = SIMPLE_PATH.exec(value);
	if (!match) return undefined;
	const keys: string[] = [];
	for (const step of match[1].matchAll(PATH_STEP)) {
		const key = step[1] ?? step[2] ?? step[3] ?? step[4];
		if (key === undefined || FORBIDDEN_KEYS.has(key)) return undefined;
		keys.push(key);
	}
	return keys.length ? keys : undefined;
}

/** True when a parameter value holds an expression (a string starting with '=') at any depth. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

const MISS = Symbol('miss');

/** Follows `keys` through own properties; a string, number or boolean at the end, else MISS. */
export function lookupPath(json: unknown, keys: string[]): string | number | boolean | typeof MISS {
	let current: unknown = json;
	for (const key of keys) {
		if (current === null || typeof current !== 'object') return MISS;
		if (!Object.prototype.hasOwnProperty.call(current, key)) return MISS;
		current = (current as Record<string, unknown>)[key];
	}
	if (typeof current === 'string' || typeof current === 'boolean') return current;
	if (typeof current === 'number' && Number.isFinite(current)) return current;
	return MISS;
}

type Plan =
	| { kind: 'constant'; value: unknown }
	| { kind: 'path'; keys: string[] }
	| { kind: 'eval' };

export class ItemParameters {
	readonly #plans = new Map<string, Plan>();

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly items: INodeExecutionData[],
	) {}

	/** Same value and errors as `ctx.getNodeParameter(name, itemIndex, fallback, options)`; callers must not mutate it. */
	get(
		name: string,
		itemIndex: number,
		fallback: unknown,
		options?: IGetNodeParameterOptions,
	): unknown {
		const key = options?.extractValue ? `${name}\u0000extract` : name;
		let plan = this.#plans.get(key);
		if (!plan) {
			const raw: unknown = this.ctx.getNodeParameter(name, itemIndex, fallback as never, {
				rawExpressions: true,
			});
			const keys = options?.extractValue ? undefined : parseJsonPathExpression(raw);
			if (keys) plan = { kind: 'path', keys };
			else if (!hasExpression(raw)) {
				// Evaluated once (validation and resource-locator extraction included); it cannot vary by item.
				plan = {
					kind: 'constant',
					value: this.ctx.getNodeParameter(name, itemIndex, fallback as never, options),
				};
			} else plan = { kind: 'eval' };
			this.#plans.set(key, plan);
		}
		if (plan.kind === 'constant') return plan.value;
		if (plan.kind === 'path') {
			const value = lookupPath(this.items[itemIndex]?.json, plan.keys);
			if (value !== MISS) return value;
		}
		return this.ctx.getNodeParameter(name, itemIndex, fallback as never, options);
	}
}
