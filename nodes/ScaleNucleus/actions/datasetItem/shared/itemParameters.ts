/**
 * Where each parameter of each input item is read, for Append and Update Metadata: `readParameter`
 * is the one function both call per parameter and item. Nothing is checked here except that an
 * expression could be evaluated; the values go to the checks (../validate) as they are.
 *
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
import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';

import { isProblem, itemProblem, type ItemProblem } from '../validate/problem';

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

	readonly #derived = new Map<string, { raw: unknown; value: unknown }>();

	/**
	 * `make(raw)`, made again only when `raw` differs from the last call for `name`: a parameter that
	 * is the same for every item (the usual case) is parsed once per run, not once per item.
	 * Callers must not mutate the result.
	 */
	derive<T>(name: string, raw: unknown, make: (raw: unknown) => T): T {
		const last = this.#derived.get(name);
		if (last && Object.is(last.raw, raw)) return last.value as T;
		const value = make(raw);
		this.#derived.set(name, { raw, value });
		return value;
	}

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

/** The metadata parameters of one item, not yet checked. */
export type MetadataInput =
	| { mode: 'none' }
	| { mode: 'allFields'; skip: ReadonlySet<string> }
	| { mode: 'json'; value: unknown }
	| { mode: 'fields'; pairs: unknown };

/** Reads one parameter of one item; an expression that fails becomes a problem naming the field. */
export function readParameter(
	params: ItemParameters,
	name: string,
	field: string,
	itemIndex: number,
	fallback: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	try {
		return params.get(name, itemIndex, fallback, options);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return itemProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: could not evaluate ${field}: ${reason}`,
		);
	}
}

export function readMetadata(
	params: ItemParameters,
	itemIndex: number,
): MetadataInput | ItemProblem {
	const mode = params.get('metadataMode', itemIndex, 'none') as string;
	if (mode === 'allFields') {
		const raw = readParameter(params, 'excludeFields', 'Fields to Exclude', itemIndex, '');
		if (isProblem(raw)) return raw;
		return params.derive('excludeFields', raw, (text) => ({
			mode,
			skip: new Set(
				String(text ?? '')
					.split(',')
					.map((f) => f.trim())
					.filter(Boolean),
			),
		}));
	}
	if (mode === 'json') {
		const value = readParameter(params, 'metadataJson', 'Metadata (JSON)', itemIndex, '{}');
		return isProblem(value) ? value : { mode, value };
	}
	if (mode === 'fields') {
		const pairs = readParameter(params, 'metadataFields.field', 'Metadata Fields', itemIndex, []);
		return isProblem(pairs) ? pairs : { mode, pairs };
	}
	return NO_METADATA;
}

const NO_METADATA: MetadataInput = { mode: 'none' };
