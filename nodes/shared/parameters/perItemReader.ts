/**
 * Reads a node parameter for every input item with the value and errors of
 * `this.getNodeParameter(name, itemIndex, fallback, options)`, doing per item only what differs
 * between items. n8n sets up a fresh expression context for every expression of every item (a tenth
 * of a millisecond or more each, most of a large Append's time before its first request), so:
 *  - a parameter with no expression anywhere is the same for every item: evaluated once;
 *  - a `$json` reference (a path, then string methods with literal arguments) or a template of text
 *    and such references (./jsonTemplate.ts) is read from the item's JSON; a value those rules do not
 *    settle goes to `getNodeParameter`;
 *  - a collection (Fields Below) holding expressions is resolved leaf by leaf as n8n's
 *    `WorkflowExpression.getParameterValue` does: leaves of those kinds read directly, other
 *    expressions evaluated by n8n one by one (`this.evaluateExpression`), so a leaf that can be read
 *    directly costs no evaluation. That gives the collection n8n's value only when each evaluated leaf
 *    cannot see its sibling values (n8n passes them to `$parameter["&key"]`): such leaves may name no
 *    `$` variable but `$json`; and when each gives a string, number, boolean, null or undefined (an
 *    object would be rewritten by `getNodeParameter`'s clean-up). Otherwise the whole collection goes
 *    to `getNodeParameter`.
 * The parameters read this way must not declare `validateType` (n8n would convert their values after
 * evaluation); the node declares none.
 *
 * NUCLEUS_BENCH_PLAIN_READS_ONLY=1 turns the reads of templates, method calls and collections off
 * (constants and lone `{{ $json.a.b }}` paths only, as before), so that `npm run bench` can measure
 * both ways in one run.
 */
import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';

import { hasExpression, MISS, planDirectRead, readDirect, type DirectRead } from './jsonTemplate';

const PLAIN_READS_ONLY = process.env.NUCLEUS_BENCH_PLAIN_READS_ONLY === '1';

/** One leaf of a collection: a value as it is, one read from the item's JSON, or one n8n evaluates. */
type Leaf =
	| { kind: 'value'; value: unknown }
	| { kind: 'direct'; read: DirectRead; expression: string }
	| { kind: 'evaluate'; expression: string }
	| { kind: 'list'; entries: Leaf[] }
	| { kind: 'object'; entries: Array<[string, Leaf]> };

type Plan =
	| { kind: 'constant'; value: unknown }
	| { kind: 'direct'; read: DirectRead }
	| { kind: 'collection'; root: Leaf }
	| { kind: 'evaluate' };

/** Every `$` name in an expression; a leaf naming only `$json` cannot reach its siblings. */
const DOLLAR_NAME = /[\w$]*\$[\w$]*/g;

function namesOnlyJson(expression: string): boolean {
	return (expression.match(DOLLAR_NAME) ?? []).every((name) => name === '$json');
}

/** The leaves of a collection value, or undefined when a leaf cannot be evaluated on its own. */
function planLeaves(value: unknown): Leaf | undefined {
	if (typeof value === 'string' && value.startsWith('=')) {
		const read = planDirectRead(value);
		if (read) return { kind: 'direct', read, expression: value };
		return namesOnlyJson(value) ? { kind: 'evaluate', expression: value } : undefined;
	}
	if (Array.isArray(value)) {
		const entries: Leaf[] = [];
		for (const entry of value) {
			const leaf = planLeaves(entry);
			if (!leaf) return undefined;
			entries.push(leaf);
		}
		return { kind: 'list', entries };
	}
	if (value !== null && typeof value === 'object') {
		const entries: Array<[string, Leaf]> = [];
		for (const [key, entry] of Object.entries(value)) {
			const leaf = planLeaves(entry);
			if (!leaf) return undefined;
			entries.push([key, leaf]);
		}
		return { kind: 'object', entries };
	}
	return { kind: 'value', value };
}

/** A lone `={{ $json.a.b }}`: what was read directly before templates and method calls were. */
function isPlainPath(read: DirectRead): boolean {
	return read.kind === 'reference' && read.reference.calls.length === 0;
}

function isPrimitive(value: unknown): boolean {
	return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

export class PerItemParameterReader {
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
			plan = this.#plan(name, itemIndex, fallback, options);
			this.#plans.set(key, plan);
		}
		if (plan.kind === 'constant') return plan.value;
		if (plan.kind === 'direct') {
			const value = readDirect(plan.read, this.items[itemIndex]?.json);
			if (value !== MISS) return value;
		}
		if (plan.kind === 'collection') {
			const value = this.#resolve(plan.root, itemIndex);
			if (value !== MISS) return value;
		}
		return this.ctx.getNodeParameter(name, itemIndex, fallback as never, options);
	}

	#plan(
		name: string,
		itemIndex: number,
		fallback: unknown,
		options?: IGetNodeParameterOptions,
	): Plan {
		const raw: unknown = this.ctx.getNodeParameter(name, itemIndex, fallback as never, {
			rawExpressions: true,
		});
		if (!hasExpression(raw)) {
			// Evaluated once (validation and resource-locator extraction included); it cannot vary by item.
			return {
				kind: 'constant',
				value: this.ctx.getNodeParameter(name, itemIndex, fallback as never, options),
			};
		}
		if (options?.extractValue) return { kind: 'evaluate' };
		const read = planDirectRead(raw);
		if (read && (!PLAIN_READS_ONLY || isPlainPath(read))) return { kind: 'direct', read };
		if (typeof raw === 'string' || PLAIN_READS_ONLY) return { kind: 'evaluate' };
		const root = planLeaves(raw);
		return root ? { kind: 'collection', root } : { kind: 'evaluate' };
	}

	/** The collection's value for one item, built as n8n builds it, or MISS when n8n must build it. */
	#resolve(leaf: Leaf, itemIndex: number): unknown {
		switch (leaf.kind) {
			case 'value':
				return leaf.value;
			case 'direct': {
				const value = readDirect(leaf.read, this.items[itemIndex]?.json);
				return value !== MISS ? value : this.#evaluate(leaf.expression, itemIndex);
			}
			case 'evaluate':
				return this.#evaluate(leaf.expression, itemIndex);
			case 'list': {
				const list: unknown[] = [];
				for (const entry of leaf.entries) {
					const value = this.#resolve(entry, itemIndex);
					if (value === MISS) return MISS;
					list.push(value);
				}
				return list;
			}
			case 'object': {
				const object: Record<string, unknown> = {};
				for (const [key, entry] of leaf.entries) {
					const value = this.#resolve(entry, itemIndex);
					if (value === MISS) return MISS;
					object[key] = value;
				}
				return object;
			}
		}
	}

	#evaluate(expression: string, itemIndex: number): unknown {
		// evaluateExpression puts the '=' back; n8n's own evaluation of this one value.
		const value = this.ctx.evaluateExpression(expression.slice(1), itemIndex);
		return isPrimitive(value) ? value : MISS;
	}
}
