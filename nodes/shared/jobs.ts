/**
 * AsyncJob status classification, error parsing and error → input item mapping (pure).
 *
 * Final statuses: Completed, Cancelled and anything starting with "Errored". Queued, Running,
 * Started and Retried are NOT final (the Python SDK stopped waiting on Queued; we do not).
 * Status comparison is case-insensitive.
 */
import { OperationalError } from 'n8n-workflow';

import type { AppendResponse } from './types';

export const FINAL_STATUSES = [
	'Completed',
	'Cancelled',
	'Errored',
	'Errored_Server',
	'Errored_User',
	'Errored_Partial',
	'Errored_Hanging',
] as const;

export const ERROR_STATUSES = FINAL_STATUSES.filter((s) => s.startsWith('Errored'));

function norm(s: unknown): string {
	return typeof s === 'string' ? s.trim().toLowerCase() : '';
}

export function isErrorStatus(s: string): boolean {
	return norm(s).startsWith('errored');
}

export function isSuccessStatus(s: string): boolean {
	return norm(s) === 'completed';
}

export function isFinalStatus(s: string): boolean {
	const n = norm(s);
	return n === 'completed' || n === 'cancelled' || n.startsWith('errored');
}

/** `'0.33'` → 0.33, `0.5` → 0.5, `'45%'` → 0.45; anything else → null. */
export function parseProgress(p: unknown): number | null {
	if (typeof p === 'number') return Number.isFinite(p) ? p : null;
	if (typeof p !== 'string') return null;
	let t = p.trim();
	let scale = 1;
	if (t.endsWith('%')) {
		t = t.slice(0, -1).trim();
		scale = 100;
	}
	if (t.length === 0 || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
	const n = Number(t) / scale;
	return Number.isFinite(n) ? n : null;
}

function parseCount(v: unknown): number | null {
	if (typeof v === 'number') return Number.isFinite(v) ? v : null;
	if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
	return null;
}

function looksLikeJson(text: string): boolean {
	const t = text.trim();
	return (t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'));
}

function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

export interface JobStatusView {
	job_id: string;
	status: string;
	/** true only for Completed. */
	succeeded: boolean;
	/** true for any Errored* status. */
	errored: boolean;
	/** true for Completed, Cancelled and Errored*; never for Queued/Running/Started/Retried. */
	final: boolean;
	progress: number | null;
	completed_steps: number | null;
	total_steps: number | null;
	/** The job's message: an object stays an object, a JSON string is parsed, other text is kept. */
	message: unknown;
}

/**
 * Normalizes `GET job/{id}` (and, via `job_last_known_status`, job info objects). Throws an
 * OperationalError when the response is not an object or has no status, so a caller never
 * keeps waiting on a response it cannot read.
 */
export function normalizeJobStatus(raw: unknown, fallbackJobId?: string): JobStatusView {
	let obj: unknown = raw;
	if (typeof obj === 'string' && looksLikeJson(obj)) {
		const parsed = tryParseJson(obj);
		if (parsed.ok) obj = parsed.value;
	}
	if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
		throw new OperationalError(
			`Nucleus returned an unreadable job status${fallbackJobId ? ` for job ${fallbackJobId}` : ''} (expected an object)`,
		);
	}
	const r = obj as Record<string, unknown>;
	const statusRaw = typeof r.status === 'string' ? r.status : r.job_last_known_status;
	if (typeof statusRaw !== 'string' || statusRaw.trim().length === 0) {
		throw new OperationalError(
			`Nucleus returned a job status without a status${fallbackJobId ? ` for job ${fallbackJobId}` : ''}`,
		);
	}
	const status = statusRaw.trim();
	let message: unknown = r.message ?? null;
	if (typeof message === 'string' && looksLikeJson(message)) {
		const parsed = tryParseJson(message);
		if (parsed.ok) message = parsed.value;
	}
	const jobId =
		typeof r.job_id === 'string' || typeof r.job_id === 'number'
			? String(r.job_id)
			: (fallbackJobId ?? '');
	return {
		job_id: jobId,
		status,
		succeeded: isSuccessStatus(status),
		errored: isErrorStatus(status),
		final: isFinalStatus(status),
		progress: parseProgress(r.job_progress ?? r.progress),
		completed_steps: parseCount(r.completed_steps),
		// The SDK docstring spells the key "total_steps:"; accept both.
		total_steps: parseCount(r.total_steps ?? r['total_steps:']),
		message,
	};
}

// ---------------------------------------------------------------------------------------------
// Errors

export interface JobError {
	/** The error text, with the SDK's un-escaping of `\\n`, `\\t` and `\\"` applied. */
	text: string;
	/** Set when the text is JSON (object or array). */
	parsed?: unknown;
}

/** Same replacements as the SDK's `replace_double_slashes`: `\\n` → newline, `\\t` → tab, `\\"` → `"`. */
export function unescapeErrorText(s: string): string {
	return s.replace(/\\\\n/g, '\n').replace(/\\\\t/g, '\t').replace(/\\\\"/g, '"');
}

function parseOneError(entry: unknown): JobError {
	if (typeof entry !== 'string') {
		if (entry === null || entry === undefined) return { text: String(entry) };
		if (typeof entry === 'object') {
			let text: string;
			try {
				text = JSON.stringify(entry);
			} catch {
				text = String(entry);
			}
			return { text, parsed: entry };
		}
		return { text: String(entry) };
	}
	const text = unescapeErrorText(entry);
	let parsed: unknown;
	let found = false;
	for (const candidate of entry === text ? [entry] : [entry, text]) {
		if (!looksLikeJson(candidate)) continue;
		const r = tryParseJson(candidate);
		if (r.ok) {
			parsed = r.value;
			found = true;
			break;
		}
	}
	if (!found) {
		// Double-encoded JSON: "\"{\\\"error\\\": ...}\""
		const t = entry.trim();
		if (t.startsWith('"') && t.endsWith('"')) {
			const r = tryParseJson(t);
			if (r.ok && typeof r.value === 'string' && looksLikeJson(r.value)) {
				const inner = tryParseJson(r.value);
				if (inner.ok) {
					parsed = inner.value;
					found = true;
				}
			}
		}
	}
	return found ? { text, parsed } : { text };
}

/**
 * Parses `GET job/{id}/errors`: a JSON array of strings (up to the 10,000 most recent). Also
 * accepts the array as a JSON string, an `{ errors: [...] }` wrapper, non-string entries and
 * null (→ no errors).
 */
export function parseJobErrors(raw: unknown): JobError[] {
	if (raw === null || raw === undefined) return [];
	if (typeof raw === 'string') {
		const t = raw.trim();
		if (t.length === 0) return [];
		if (t.startsWith('[')) {
			const r = tryParseJson(t);
			if (r.ok && Array.isArray(r.value)) return r.value.map(parseOneError);
		}
		return [parseOneError(raw)];
	}
	if (Array.isArray(raw)) return raw.map(parseOneError);
	if (typeof raw === 'object') {
		const errors = (raw as { errors?: unknown }).errors;
		if (Array.isArray(errors)) return errors.map(parseOneError);
		return [parseOneError(raw)];
	}
	return [parseOneError(raw)];
}

// ---------------------------------------------------------------------------------------------
// Mapping errors to input items

/** How strongly a token ties an error to an item; the strongest kind found wins. */
const Strength = { Url: 1, QuotedRef: 2, LabeledRef: 3 } as const;
type Strength = (typeof Strength)[keyof typeof Strength];

const TRAILING_PUNCTUATION = /[.,;:!?)\]}>'"`]$/;
const URL_TOKEN = /\b(?:https?|s3|gs):\/\/[^\s"'<>`]+/gi;
const DOUBLE_QUOTED = /"((?:[^"\\\n]|\\.){1,4096})"/g;
const SINGLE_QUOTED = /(?<![\p{L}\p{N}_])'([^'\n]{1,4096})'(?![\p{L}\p{N}_])/gu;
const OTHER_QUOTED = /`([^`\n]{1,4096})`|“([^”\n]{1,4096})”|‘([^’\n]{1,4096})’/g;
// "reference_id": "x" | reference_id=x | reference id 'x' | referenceId: x | Reference ID x
const LABELED_REF =
	/\b(?:reference[_ -]?id|ref[_ -]?id)\b["']?\s*(?:[:=]\s*|\bis\s+|\s)\s*(?:"((?:[^"\\\n]|\\.){1,4096})"|'([^'\n]{1,4096})'|([^\s"',;()[\]{}]{1,4096}))/giu;
// Item with id x | item id 'x' | item x (only "with id"/"id" forms, to avoid matching prose)
const LABELED_ITEM =
	/\bitem\s+(?:with\s+)?id\s*[:=]?\s*(?:"((?:[^"\\\n]|\\.){1,4096})"|'([^'\n]{1,4096})'|([^\s"',;()[\]{}]{1,4096}))/giu;

const REF_KEYS = new Set(['reference_id', 'referenceid', 'ref_id', 'refid', 'item_id', 'itemid']);
const URL_KEYS = new Set(['image_url', 'imageurl', 'url', 'image_location', 'location', 'image']);
const MAX_WALK_NODES = 2000;

function jsonUnquote(inner: string): string {
	if (!inner.includes('\\')) return inner;
	const r = tryParseJson(`"${inner}"`);
	return r.ok && typeof r.value === 'string' ? r.value : inner;
}

interface Lookup {
	refs: Map<string, number[]>;
	urls: Map<string, number[]>;
}

class ErrorMatcher {
	best: Strength | 0 = 0;
	matched = new Set<number>();

	constructor(private readonly lookup: Lookup) {}

	private record(strength: Strength, items: number[] | undefined): boolean {
		if (!items) return false;
		if (strength > this.best) {
			this.best = strength;
			this.matched = new Set(items);
		} else if (strength === this.best) {
			for (const i of items) this.matched.add(i);
		}
		return true;
	}

	/** Exact lookup of a token; for bare tokens also the token without trailing punctuation (longest first). */
	private lookupToken(
		map: Map<string, number[]>,
		token: string,
		stripTrailing: boolean,
	): number[] | undefined {
		let t = token;
		for (let guard = 0; guard < 8 && t.length > 0; guard++) {
			const hit = map.get(t);
			if (hit) return hit;
			if (!stripTrailing || !TRAILING_PUNCTUATION.test(t)) return undefined;
			t = t.slice(0, -1);
		}
		return undefined;
	}

	ref(token: string, strength: Strength, bare = false): void {
		const hit = this.lookupToken(this.lookup.refs, token, bare);
		this.record(strength, hit);
	}

	url(token: string, bare = false): void {
		const hit = this.lookupToken(this.lookup.urls, token, bare);
		this.record(Strength.Url, hit);
	}

	/** A string that may be a reference ID or a URL (quoted, a JSON value or the whole text). */
	any(token: string): void {
		this.ref(token, Strength.QuotedRef);
		this.url(token);
	}

	scanText(text: string): void {
		const whole = text.trim();
		if (whole.length > 0) this.any(whole);

		for (const m of text.matchAll(LABELED_REF)) this.labeled(m);
		for (const m of text.matchAll(LABELED_ITEM)) this.labeled(m);

		for (const m of text.matchAll(DOUBLE_QUOTED)) {
			const inner = m[1];
			this.any(inner);
			const unq = jsonUnquote(inner);
			if (unq !== inner) this.any(unq);
		}
		for (const m of text.matchAll(SINGLE_QUOTED)) this.any(m[1]);
		for (const m of text.matchAll(OTHER_QUOTED)) this.any(m[1] ?? m[2] ?? m[3]);

		for (const m of text.matchAll(URL_TOKEN)) this.url(m[0], true);
	}

	private labeled(m: RegExpMatchArray): void {
		if (m[1] !== undefined) {
			this.ref(m[1], Strength.LabeledRef);
			const unq = jsonUnquote(m[1]);
			if (unq !== m[1]) this.ref(unq, Strength.LabeledRef);
		} else if (m[2] !== undefined) {
			this.ref(m[2], Strength.LabeledRef);
		} else if (m[3] !== undefined) {
			this.ref(m[3], Strength.LabeledRef, true);
		}
	}

	walk(value: unknown): void {
		const stack: Array<{ key: string | undefined; value: unknown }> = [{ key: undefined, value }];
		let visited = 0;
		while (stack.length > 0 && visited < MAX_WALK_NODES) {
			const { key, value: v } = stack.pop()!;
			visited++;
			const k = key?.toLowerCase();
			if (typeof v === 'string') {
				if (k !== undefined && REF_KEYS.has(k)) this.ref(v, Strength.LabeledRef);
				else if (k === 'id') this.ref(v, Strength.QuotedRef);
				this.any(v);
				if (v.length > 0 && v.length <= 8192) {
					for (const m of v.matchAll(LABELED_REF)) this.labeled(m);
					for (const m of v.matchAll(LABELED_ITEM)) this.labeled(m);
					for (const m of v.matchAll(URL_TOKEN)) this.url(m[0], true);
				}
				if (k !== undefined && URL_KEYS.has(k)) this.url(v);
			} else if (typeof v === 'number' && k !== undefined && (REF_KEYS.has(k) || k === 'id')) {
				this.ref(String(v), REF_KEYS.has(k) ? Strength.LabeledRef : Strength.QuotedRef);
			} else if (Array.isArray(v)) {
				for (let i = v.length - 1; i >= 0; i--) stack.push({ key, value: v[i] });
			} else if (typeof v === 'object' && v !== null) {
				const entries = Object.entries(v as Record<string, unknown>);
				for (let i = entries.length - 1; i >= 0; i--) {
					stack.push({ key: entries[i][0], value: entries[i][1] });
				}
			}
		}
	}
}

function addTo(map: Map<string, number[]>, key: string, itemIndex: number): void {
	const list = map.get(key);
	if (list) {
		if (!list.includes(itemIndex)) list.push(itemIndex);
	} else map.set(key, [itemIndex]);
}

/**
 * Maps job errors back to input items. An error belongs to an item when it names the item's
 * exact reference ID (labelled as reference_id / "item with id", quoted, as a JSON value, or as
 * the whole error text) or its exact image URL. When one error names several things, the
 * strongest kind wins (labelled reference ID > quoted reference ID > URL); a URL shared by
 * several items maps to all of them. Lookups are by exact token in hash maps, so 100k items and
 * 10k errors take linear time. Errors that name no input go to `unmatched`.
 */
export function mapErrorsToItems(
	errors: JobError[],
	items: Array<{ itemIndex: number; referenceId: string; imageUrl?: string }>,
): { byItem: Map<number, string[]>; unmatched: string[] } {
	const lookup: Lookup = { refs: new Map(), urls: new Map() };
	for (const item of items) {
		if (item.referenceId.length > 0) addTo(lookup.refs, item.referenceId, item.itemIndex);
		if (item.imageUrl !== undefined && item.imageUrl.length > 0) {
			addTo(lookup.urls, item.imageUrl, item.itemIndex);
		}
	}
	const byItem = new Map<number, string[]>();
	const unmatched: string[] = [];
	for (const error of errors) {
		const matcher = new ErrorMatcher(lookup);
		matcher.scanText(error.text);
		if (error.parsed !== undefined) matcher.walk(error.parsed);
		if (matcher.matched.size === 0) {
			unmatched.push(error.text);
			continue;
		}
		for (const itemIndex of matcher.matched) {
			const list = byItem.get(itemIndex);
			if (!list) byItem.set(itemIndex, [error.text]);
			else if (!list.includes(error.text)) list.push(error.text);
		}
	}
	return { byItem, unmatched };
}

// ---------------------------------------------------------------------------------------------
// Counts

export interface AppendCounts {
	new_items: number;
	updated_items: number;
	ignored_items: number;
	upload_errors: number;
}

/** Sums the counts of several synchronous append responses (missing or non-numeric → 0). */
export function summarizeAppendCounts(
	responses: Array<Partial<AppendResponse> | undefined>,
): AppendCounts {
	const total: AppendCounts = {
		new_items: 0,
		updated_items: 0,
		ignored_items: 0,
		upload_errors: 0,
	};
	for (const r of responses) {
		if (!r) continue;
		for (const key of Object.keys(total) as Array<keyof AppendCounts>) {
			const v = r[key];
			if (typeof v === 'number' && Number.isFinite(v)) total[key] += v;
		}
	}
	return total;
}
