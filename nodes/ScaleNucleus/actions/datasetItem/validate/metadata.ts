/**
 * The rules a metadata value must follow, written once as one walk that either only checks or
 * checks and copies:
 * - a plain object; nested objects and arrays are allowed;
 * - Dates (and objects with `toJSON`, such as Luxon DateTimes) become their JSON form (ISO strings);
 * - `undefined` values are dropped from objects and become `null` inside arrays (as `JSON.stringify`
 *   does);
 * - NaN, ±Infinity, BigInt, functions, symbols, Maps, Sets, binary buffers and circular references
 *   are refused with the key path; nesting deeper than 64 levels is refused.
 *
 * Copying (`normalizeMetadata`) gives the JSON-safe object Nucleus receives, or a problem naming the
 * key path. Checking only (`isJsonAsIs`) answers whether an item's own JSON can be sent as it is:
 * it builds nothing (no copy, no walk state for flat metadata), because a 100,000-item remote append
 * reads every item's fields in place (test/bench, README "Performance"). Both follow the same branches
 * below; where checking meets anything a copy would change or refuse, it answers "not as is" and the
 * caller copies, which also names what is wrong.
 *
 * Over 350 lines on purpose: the rules, the walk and the two ways in stay in one file, so checking
 * and copying cannot drift apart.
 */
import { describeValue, isBinary, redactedProblem, truncate, type ItemProblem } from './problem';

export const MAX_METADATA_DEPTH = 64;

export const METADATA_FIX_OBJECT =
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

/** Sets an own key; a "__proto__" key stays plain data (plain assignment would set the prototype). */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
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
 * Where the walk is: whether it copies, the key path from the metadata root and the objects on it
 * (to find circular references). One walk per item shares it, pushing and popping as it descends,
 * so a valid item costs no array per key: a path is only copied when a value is refused (100,000
 * items with metadata made ~1 KB of garbage each before, which n8n's heap had to absorb).
 */
interface Walk {
	copy: boolean;
	path: Array<string | number>;
	ancestors: object[];
}

/**
 * The one walk every check uses, emptied at each root: checking allocates no walk per item. Nothing
 * a check runs can start another check (it calls no toJSON), and a getter that throws only leaves
 * it to be emptied by the next check.
 */
const CHECK_WALK: Walk = { copy: false, path: [], ancestors: [] };

function checkWalk(root: object): Walk {
	const { path, ancestors } = CHECK_WALK;
	// Popped, not truncated: `length = 0` would free the arrays' storage, allocated again per item.
	while (path.length) path.pop();
	while (ancestors.length) ancestors.pop();
	ancestors.push(root);
	return CHECK_WALK;
}

/** The walk's answer, when only checking, for a value a copy would change or refuse. */
const NOT_AS_IS: unique symbol = Symbol('not JSON as it is');

/** A value Nucleus cannot take: when copying, the refusal (thrown); when checking, "not as is". */
function refuse(walk: Walk, what: string, fix: string): typeof NOT_AS_IS {
	if (!walk.copy) return NOT_AS_IS;
	throw new MetadataValueError([...walk.path], what, fix);
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

/** An object made by `{}`, JSON.parse or Object.create(null): its own keys are all there is to it. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
	if (typeof value !== 'object' || value === null) return false;
	const proto: unknown = Object.getPrototypeOf(value);
	return proto === Object.prototype || proto === null;
}

const ONLY_JSON_VALUES = 'Metadata can only hold text, numbers, booleans, null, lists and objects.';

/**
 * One value: when copying, its JSON-safe copy (throws MetadataValueError, internal, on the first
 * value Nucleus cannot take); when checking, the value itself or NOT_AS_IS. `undefined` is
 * `undefined` either way (left out of objects, null in arrays, as JSON.stringify does).
 */
function walkValue(value: unknown, walk: Walk): unknown {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			if (Number.isNaN(value)) {
				return refuse(
					walk,
					'is NaN; Nucleus only accepts finite numbers',
					'Remove the field, or send null or a string instead.',
				);
			}
			if (!Number.isFinite(value)) {
				return refuse(
					walk,
					`is ${value > 0 ? 'Infinity' : '-Infinity'}; Nucleus only accepts finite numbers`,
					'Remove the field, or send null or a string instead.',
				);
			}
			return value;
		case 'bigint':
			return refuse(
				walk,
				`is a BigInt (${truncate(String(value))})`,
				'Convert it to a number (if it is within ±9007199254740991) or to a string, e.g. {{ String($json.big) }}.',
			);
		case 'function':
			return refuse(walk, 'is a function', ONLY_JSON_VALUES);
		case 'symbol':
			return refuse(walk, 'is a symbol', ONLY_JSON_VALUES);
		case 'undefined':
			return undefined;
	}
	if (value === null) return null;
	const obj = value as object;
	if (walk.ancestors.length > MAX_METADATA_DEPTH) {
		return refuse(
			walk,
			`is nested more than ${MAX_METADATA_DEPTH} levels deep`,
			'Flatten the metadata.',
		);
	}
	if (walk.ancestors.includes(obj)) {
		return refuse(
			walk,
			'is a circular reference (it contains itself)',
			'Remove the self-reference: build a new object with only the fields you need.',
		);
	}
	if (!walk.copy) {
		// Only arrays and plain objects without toJSON are JSON as they are. Anything else (a Date,
		// a Luxon DateTime, a class instance, a Map...) takes the copy, which converts it or says
		// what is wrong.
		if (hasToJSON(obj) || !(Array.isArray(obj) || isPlainRecord(obj))) return NOT_AS_IS;
	} else {
		if (obj instanceof Date) {
			if (Number.isNaN(obj.getTime())) {
				return refuse(walk, 'is an invalid date', 'Send a valid date or an ISO date string.');
			}
			return obj.toISOString();
		}
		if (isBinary(obj)) {
			return refuse(
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
			return refuse(
				walk,
				`is a ${obj instanceof Map || obj instanceof WeakMap ? 'Map' : 'Set'}`,
				'Convert it to a plain object or list first (e.g. Object.fromEntries(map) or [...set]).',
			);
		}
		if (obj instanceof RegExp || obj instanceof Promise || obj instanceof Error) {
			return refuse(walk, `is a ${obj.constructor.name}`, ONLY_JSON_VALUES);
		}
	}
	walk.ancestors.push(obj);
	let out: unknown;
	if (Array.isArray(obj)) {
		out = walkArray(obj as unknown[], walk);
	} else if (hasToJSON(obj)) {
		// e.g. Luxon DateTime from n8n expressions: use its JSON form (an ISO string).
		out = walkValue(obj.toJSON(), walk);
	} else {
		out = walkObject(obj as Record<string, unknown>, walk, walk.copy);
	}
	walk.ancestors.pop();
	return out;
}

/** A list: copied with `undefined` as null, or checked in place. */
function walkArray(list: unknown[], walk: Walk): unknown[] | typeof NOT_AS_IS {
	const out: unknown[] | undefined = walk.copy ? new Array(list.length) : undefined;
	for (let i = 0; i < list.length; i++) {
		const item: unknown = list[i];
		if (isPlainScalar(item)) {
			if (out) out[i] = item;
			continue;
		}
		walk.path.push(i);
		const v = walkValue(item, walk);
		walk.path.pop();
		if (v === NOT_AS_IS) return v;
		if (out) out[i] = v === undefined ? null : v;
	}
	return out ?? list;
}

/**
 * A plain object's own enumerable keys, without the keys in `skip`: copied, or checked in place. The
 * root call has no walk yet: it is made (or, checking, CHECK_WALK is taken) at the first value that
 * is not a plain scalar, so flat metadata (the usual kind) costs one object per item when copied, and
 * nothing when checked.
 */
function walkObject(
	obj: Record<string, unknown>,
	parentWalk: Walk | undefined,
	copy: boolean,
	skip?: ReadonlySet<string>,
): Record<string, unknown> | typeof NOT_AS_IS {
	let walk = parentWalk;
	const out: Record<string, unknown> | undefined = copy ? {} : undefined;
	for (const key of Object.keys(obj)) {
		if (skip?.has(key)) continue;
		const value = obj[key];
		if (isPlainScalar(value)) {
			if (out) setOwn(out, key, value);
			continue;
		}
		walk ??= copy ? { copy, path: [], ancestors: [obj] } : checkWalk(obj);
		walk.path.push(key);
		const v = walkValue(value, walk);
		walk.path.pop();
		if (v === NOT_AS_IS) return v;
		if (out && v !== undefined) setOwn(out, key, v);
	}
	return out ?? obj;
}

/**
 * Checks without copying: true when `JSON.stringify` of `json` (less the `skip` keys) is exactly
 * what normalizeMetadata's copy would give, so the item's own JSON can be sent as it is. Only plain
 * objects and arrays of strings, booleans, null, finite numbers or `undefined`, no `toJSON`, no
 * cycle, no deeper than the limit; anything else is false and takes the copy.
 */
export function isJsonAsIs(json: unknown, skip?: ReadonlySet<string>): boolean {
	return (
		isPlainRecord(json) &&
		!hasToJSON(json) &&
		walkObject(json, undefined, false, skip) !== NOT_AS_IS
	);
}

/** A shallow copy of an object's own keys, less the `skip` keys. */
export function withoutKeys(
	obj: Record<string, unknown>,
	skip: ReadonlySet<string>,
): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const key of Object.keys(obj)) {
		if (!skip.has(key)) setOwn(out, key, obj[key]);
	}
	return out;
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
		return redactedProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} must be an object, but got ${got}`,
			`${METADATA_FIX_OBJECT}${extra}`,
		);
	}
	try {
		if (isPlainRecord(value))
			return walkObject(value, undefined, true, skip) as Record<string, unknown>;
		const source = skip ? withoutKeys(value, skip) : value;
		return walkValue(source, { copy: true, path: [], ancestors: [] }) as Record<string, unknown>;
	} catch (error) {
		if (error instanceof MetadataValueError) {
			const name = error.path.length > 0 ? `${field} field '${formatPath(error.path)}'` : field;
			return redactedProblem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${name} ${error.what}`,
				error.fix,
			);
		}
		if (error instanceof RangeError) {
			return redactedProblem(
				itemIndex,
				field,
				`Item ${itemIndex}: ${field} is nested too deeply to process`,
				'Flatten the metadata.',
			);
		}
		// A getter or toJSON that throws: report it as a bad value, not as a crash.
		return redactedProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: ${field} could not be read (${truncate(String((error as Error)?.message ?? error))})`,
			METADATA_FIX_OBJECT,
		);
	}
}
