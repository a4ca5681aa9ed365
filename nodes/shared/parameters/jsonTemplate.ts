/**
 * Parameter values whose result for an item can be read from the item's JSON without running n8n's
 * expression evaluator, with exactly the value n8n would give. A *reference* is `$json`, a path of
 * keys, then optionally string methods with literal arguments:
 *   `$json.reference_id`, `$json["file name"][0]`, `$json.Key.split('/')[1]`,
 *   `$json.ETag.replaceAll('"', '')`, `$json.name.trim().toLowerCase()`.
 * A value is read directly when it is one reference in `{{ }}` and nothing else (the reference's value,
 * as it is), or a template of literal text and references (`=s3://bucket/{{ $json.Key }}`: the text
 * with each value written as a string).
 *
 * Why this is n8n's result (n8n-workflow 2.41 `Expression.resolveSimpleParameterValue` and
 * `extendSyntax`, @n8n/tournament's `ExpressionSplitter` / `ExpressionBuilder`, n8n-io/n8n on GitHub):
 *  - `$json` is the item's own `json` object (`WorkflowDataProxy`: `connectionInputData[itemIndex].json`);
 *  - a value that is one `{{ }}` and nothing else returns the expression's value unchanged; any other
 *    value is split at `{{` / `}}` into text and code, the text kept as a JSON-quoted string literal,
 *    each code part turned into `v || v === 0 || v === false ? v : ''`, and the parts `join('')`ed:
 *    a string stays as it is, a finite number or a boolean is written by JavaScript's `String()`;
 *  - code is rewritten only when it calls one of n8n's extension functions (`.toDate()`, `.length`,
 *    ...) and the methods allowed here are checked against n8n's own list when first used; with a
 *    string receiver and literal arguments they are the engine's own `String.prototype` methods, which
 *    cannot throw with such arguments;
 *  - a key n8n's sanitiser refuses (`isSafeObjectProperty`) makes n8n throw, and so does any
 *    expression matching `/\.\s*constructor/`.
 * Only what those rules settle is read here: every key of the path an own property; the value a
 * string, a finite number or a boolean, and a string wherever a method is called on it or returned
 * from one (an index past the end of a `split` gives undefined: left to n8n); text free of braces and
 * backslashes (n8n's splitter treats `\{{` and a `{` next to `{{` specially); arguments free of
 * brackets, braces, backslashes and line breaks. Anything else (a missing key, null, an object, NaN, any
 * other expression) is left to n8n: callers evaluate it with n8n, so its value and errors stay n8n's.
 */
import { ExpressionExtensions, isSafeObjectProperty } from 'n8n-workflow';

/** A `String.prototype` method call with literal arguments; `split` is always followed by an index. */
export interface MethodCall {
	method: string;
	args: Array<string | number>;
	index?: number;
}

/** `$json`, a path of keys, then string method calls. */
export interface JsonReference {
	path: string[];
	calls: MethodCall[];
}

/** How a parameter value can be read for an item without n8n's evaluator. */
export type DirectRead =
	| { kind: 'reference'; reference: JsonReference }
	| { kind: 'template'; parts: Array<string | JsonReference> };

/** What a direct read returns when n8n must evaluate the value instead. */
export const MISS: unique symbol = Symbol('evaluate with n8n');

/** Argument kinds of the allowed methods: s = string, i = integer; `?` marks the optional ones. */
const METHODS = new Map<string, string[]>([
	['split', ['s', 'i?']],
	['replace', ['s', 's']],
	['replaceAll', ['s', 's']],
	['toLowerCase', []],
	['toUpperCase', []],
	['trim', []],
	['trimStart', []],
	['trimEnd', []],
	['slice', ['i', 'i?']],
	['substring', ['i', 'i?']],
]);
const MAX_CALLS = 4;

/** n8n-workflow `Expression.resolveSimpleParameterValue` refuses any expression that matches this. */
const CONSTRUCTOR_ACCESS = /\.\s*constructor/;
const SAFE_TEXT = /^[^{}\\]*$/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*/;
// Without leading zeros and below 2^53, so JavaScript reads the same number (`010` is octal 8).
const INTEGER = /^-?(?:0|[1-9]\d{0,14})/;
// A quoted text that means exactly its characters, and cannot end `{{ }}` or look like a call.
const QUOTED = /^(?:'([^'\\\n\r\u2028\u2029(){}]*)'|"([^"\\\n\r\u2028\u2029(){}]*)")/;

function isN8nExtension(method: string): boolean {
	if (!Array.isArray(ExpressionExtensions)) return true;
	if (method === 'isEmpty' || method === 'isNotEmpty') return true;
	return ExpressionExtensions.some((extension: { functions?: object }) =>
		Object.prototype.hasOwnProperty.call(extension.functions ?? {}, method),
	);
}

function isSafeKey(key: string): boolean {
	return typeof isSafeObjectProperty === 'function' && isSafeObjectProperty(key);
}

/** A small scanner over the code of one `{{ }}`. */
class Scanner {
	#rest: string;

	constructor(code: string) {
		this.#rest = code;
	}

	get done(): boolean {
		return this.#rest.trim() === '';
	}

	/** Consumes `token` (after white space) when it comes next. */
	take(token: string): boolean {
		const rest = this.#rest.trimStart();
		if (!rest.startsWith(token)) return false;
		this.#rest = rest.slice(token.length);
		return true;
	}

	/** Consumes and returns the text matched by `pattern` (after white space), with its groups. */
	match(pattern: RegExp): RegExpExecArray | undefined {
		const rest = this.#rest.trimStart();
		const found = pattern.exec(rest);
		if (!found) return undefined;
		this.#rest = rest.slice(found[0].length);
		return found;
	}
}

function parseArgs(scanner: Scanner, kinds: string[]): Array<string | number> | undefined {
	const args: Array<string | number> = [];
	for (const kind of kinds) {
		if (args.length > 0 && !scanner.take(',')) break;
		if (kind.startsWith('s')) {
			const quoted = scanner.match(QUOTED);
			if (!quoted) return undefined;
			args.push(quoted[1] ?? quoted[2]);
		} else {
			const integer = scanner.match(INTEGER);
			if (!integer) return undefined;
			args.push(Number(integer[0]));
		}
	}
	const required = kinds.filter((kind) => !kind.endsWith('?')).length;
	if (args.length < required || !scanner.take(')')) return undefined;
	return args;
}

/** The reference written in `code` (the text inside `{{ }}`), or undefined when it is anything else. */
export function parseJsonReference(code: string): JsonReference | undefined {
	const scanner = new Scanner(code);
	if (!scanner.take('$json')) return undefined;
	const reference: JsonReference = { path: [], calls: [] };
	while (!scanner.done) {
		if (scanner.take('.')) {
			const name = scanner.match(IDENTIFIER)?.[0];
			if (name === undefined || !isSafeKey(name)) return undefined;
			if (!scanner.take('(')) {
				if (reference.calls.length) return undefined; // a key after a call: not a string method
				reference.path.push(name);
				continue;
			}
			const kinds = METHODS.get(name);
			if (!kinds || isN8nExtension(name) || reference.calls.length === MAX_CALLS) return undefined;
			const args = parseArgs(scanner, kinds);
			if (!args) return undefined;
			const call: MethodCall = { method: name, args };
			if (name === 'split') {
				const index = scanner.take('[') ? scanner.match(INTEGER) : undefined;
				if (!index || index[0].startsWith('-') || !scanner.take(']')) return undefined;
				call.index = Number(index[0]);
			}
			reference.calls.push(call);
		} else if (scanner.take('[') && !reference.calls.length) {
			const quoted = scanner.match(QUOTED);
			const index = quoted ? undefined : scanner.match(INTEGER);
			const key = quoted ? (quoted[1] ?? quoted[2]) : index?.[0];
			if (key === undefined || key.startsWith('-') || !isSafeKey(key) || !scanner.take(']')) {
				return undefined;
			}
			reference.path.push(key);
		} else {
			return undefined;
		}
	}
	return reference.path.length ? reference : undefined;
}

/**
 * How `value` can be read without n8n's evaluator, or undefined when only n8n can evaluate it: a
 * lone `={{ reference }}`, or literal text and at least one `{{ reference }}`.
 */
export function planDirectRead(value: unknown): DirectRead | undefined {
	if (typeof value !== 'string' || !value.startsWith('=') || CONSTRUCTOR_ACCESS.test(value)) {
		return undefined;
	}
	const body = value.slice(1);
	const parts: Array<string | JsonReference> = [];
	let at = 0;
	while (at < body.length) {
		const open = body.indexOf('{{', at);
		const text = body.slice(at, open < 0 ? body.length : open);
		if (!SAFE_TEXT.test(text)) return undefined;
		if (text) parts.push(text);
		if (open < 0) break;
		const close = body.indexOf('}}', open + 2);
		if (close < 0) return undefined;
		const reference = parseJsonReference(body.slice(open + 2, close));
		if (!reference) return undefined;
		parts.push(reference);
		at = close + 2;
	}
	if (parts.length === 1 && typeof parts[0] !== 'string' && body.startsWith('{{')) {
		return { kind: 'reference', reference: parts[0] };
	}
	return parts.some((part) => typeof part !== 'string') ? { kind: 'template', parts } : undefined;
}

/** True when a parameter value holds an expression (a string starting with '=') at any depth. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** Follows `keys` through own properties; a string, finite number or boolean at the end, else MISS. */
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

type StringMethod = (this: string, ...args: Array<string | number>) => unknown;

/** A reference's value for an item whose JSON is `json`, or MISS. */
export function readReference(
	reference: JsonReference,
	json: unknown,
): string | number | boolean | typeof MISS {
	let value = lookupPath(json, reference.path);
	for (const call of reference.calls) {
		if (typeof value !== 'string') return MISS;
		const method = String.prototype[call.method as keyof string] as StringMethod;
		let result = method.apply(value, call.args);
		if (call.index !== undefined) result = (result as string[])[call.index];
		if (typeof result !== 'string') return MISS;
		value = result;
	}
	return value;
}

/** The value n8n gives `read` for an item whose JSON is `json`, or MISS when n8n must evaluate it. */
export function readDirect(
	read: DirectRead,
	json: unknown,
): string | number | boolean | typeof MISS {
	if (read.kind === 'reference') return readReference(read.reference, json);
	let text = '';
	for (const part of read.parts) {
		if (typeof part === 'string') {
			text += part;
			continue;
		}
		const value = readReference(part, json);
		if (value === MISS) return MISS;
		text += String(value);
	}
	return text;
}
