/**
 * Parameter values whose result for an item can be read from the item's JSON without running n8n's
 * expression evaluator, with exactly the value n8n would give:
 *  - a path into the item's own JSON, the whole expression: `={{ $json.reference_id }}`,
 *    `={{ $json["file name"][0] }}`: the value at the path, as it is;
 *  - a template of literal text and such paths: `=s3://bucket/{{ $json.Key }}`,
 *    `={{ $json.a }}-{{ $json.b }}.jpg`: the text with each path's value written as a string.
 *
 * Why this is n8n's result (n8n-workflow 2.41 `Expression.resolveSimpleParameterValue` and
 * @n8n/tournament's `ExpressionSplitter` / `ExpressionBuilder`, n8n-io/n8n on GitHub):
 *  - `$json` is the item's own `json` object (`WorkflowDataProxy`, `$json` -> `connectionInputData[itemIndex].json`);
 *  - a value that is one `{{ }}` and nothing else returns the expression's value unchanged; any other
 *    value is split at `{{` / `}}` into text and code, the text kept as a JSON-quoted string literal,
 *    each code part turned into `v || v === 0 || v === false ? v : ''`, and all parts `join('')`ed,
 *    so a string stays as it is, and a finite number or a boolean is written by JavaScript's own
 *    `String()` (`-0` as `0`, `1e21` as `1e+21`);
 *  - a path step whose name n8n's sanitiser refuses (`isSafeObjectProperty`) makes n8n throw; and any
 *    expression matching `/\.\s*constructor/` is refused before it runs.
 * Only what those rules settle is read here: every step of the path an own property, the value a
 * string, a finite number or a boolean; text free of braces and backslashes (n8n's splitter treats
 * `\{{` and a `{` next to `{{` specially). Anything else (a missing key, null, an object, an array,
 * NaN, any other expression) is left to n8n: callers evaluate it with `getNodeParameter`, so its
 * value and its errors stay n8n's own.
 */
import { isSafeObjectProperty } from 'n8n-workflow';

/** The keys of one `$json` path, e.g. `['a', 'b', '0']` for `$json.a["b"][0]`. */
export type JsonPath = string[];

/** How a parameter value can be read for an item without n8n's evaluator. */
export type DirectRead =
	| { kind: 'path'; path: JsonPath }
	| { kind: 'template'; parts: Array<string | JsonPath> };

/** What a direct read returns when n8n must evaluate the value instead. */
export const MISS: unique symbol = Symbol('evaluate with n8n');

// An index is written without leading zeros and below 2^53, so that JavaScript reads the same key
// (`[010]` is octal 8 in n8n's non-strict code). Quoted keys hold no quote, backslash, line break or
// brace, so they mean their text and cannot end the `{{ }}` early.
const INDEX = String.raw`0|[1-9]\d{0,14}`;
const QUOTED = String.raw`'[^'\\\n\r\u2028\u2029{}]*'|"[^"\\\n\r\u2028\u2029{}]*"`;
const STEP = String.raw`\.\s*([A-Za-z_$][\w$]*)|\[\s*(?:'([^'\\\n\r\u2028\u2029{}]*)'|"([^"\\\n\r\u2028\u2029{}]*)"|(${INDEX}))\s*\]`;
const PATH_STEPS = String.raw`((?:\s*\.\s*[A-Za-z_$][\w$]*|\s*\[\s*(?:${QUOTED}|${INDEX})\s*\])+)`;
const PATH_STEP = new RegExp(STEP, 'g');
/** `{{ $json<steps> }}`, with the steps captured. */
const CODE_PART = new RegExp(String.raw`\{\{\s*\$json${PATH_STEPS}\s*\}\}`, 'g');
const WHOLE_PATH = new RegExp(String.raw`^=\{\{\s*\$json${PATH_STEPS}\s*\}\}$`);
/** n8n-workflow `Expression.resolveSimpleParameterValue` refuses any expression that matches this. */
const CONSTRUCTOR_ACCESS = /\.\s*constructor/;
const SAFE_TEXT = /^[^{}\\]*$/;

function parseSteps(steps: string): JsonPath | undefined {
	const keys: JsonPath = [];
	for (const step of steps.matchAll(PATH_STEP)) {
		const key = step[1] ?? step[2] ?? step[3] ?? step[4];
		if (key === undefined || !isSafeObjectProperty(key)) return undefined;
		keys.push(key);
	}
	return keys.length ? keys : undefined;
}

/** The keys of a `={{ $json.a["b"][0] }}` expression, or undefined when it is anything else. */
export function parseJsonPathExpression(value: unknown): JsonPath | undefined {
	if (typeof value !== 'string' || CONSTRUCTOR_ACCESS.test(value)) return undefined;
	const match = WHOLE_PATH.exec(value);
	return match ? parseSteps(match[1]) : undefined;
}

/**
 * The text and paths of a template such as `=s3://bucket/{{ $json.Key }}`, or undefined when the
 * value is not literal text and at least one `$json` path (a lone `={{ $json.x }}` is a path, not a
 * template: n8n returns its value unconverted).
 */
export function parseJsonTemplate(value: unknown): Array<string | JsonPath> | undefined {
	if (typeof value !== 'string' || !value.startsWith('=') || CONSTRUCTOR_ACCESS.test(value)) {
		return undefined;
	}
	if (WHOLE_PATH.test(value)) return undefined;
	const body = value.slice(1);
	const parts: Array<string | JsonPath> = [];
	let end = 0;
	for (const code of body.matchAll(CODE_PART)) {
		const text = body.slice(end, code.index);
		if (!SAFE_TEXT.test(text)) return undefined;
		if (text) parts.push(text);
		const path = parseSteps(code[1]);
		if (!path) return undefined;
		parts.push(path);
		end = code.index + code[0].length;
	}
	const rest = body.slice(end);
	if (!SAFE_TEXT.test(rest)) return undefined;
	if (rest) parts.push(rest);
	return parts.some((part) => typeof part !== 'string') ? parts : undefined;
}

/** How `value` can be read without n8n's evaluator, or undefined when only n8n can evaluate it. */
export function planDirectRead(value: unknown): DirectRead | undefined {
	const path = parseJsonPathExpression(value);
	if (path) return { kind: 'path', path };
	const parts = parseJsonTemplate(value);
	return parts ? { kind: 'template', parts } : undefined;
}

/** True when a parameter value holds an expression (a string starting with '=') at any depth. */
export function hasExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(hasExpression);
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasExpression);
	return false;
}

/** Follows `keys` through own properties; a string, finite number or boolean at the end, else MISS. */
export function lookupPath(json: unknown, keys: JsonPath): string | number | boolean | typeof MISS {
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

/** The value n8n gives `read` for an item whose JSON is `json`, or MISS when n8n must evaluate it. */
export function readDirect(
	read: DirectRead,
	json: unknown,
): string | number | boolean | typeof MISS {
	if (read.kind === 'path') return lookupPath(json, read.path);
	let text = '';
	for (const part of read.parts) {
		if (typeof part === 'string') {
			text += part;
			continue;
		}
		const value = lookupPath(json, part);
		if (value === MISS) return MISS;
		text += String(value);
	}
	return text;
}
