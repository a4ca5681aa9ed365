/**
 * Job errors (pure): parsing `GET job/{id}/errors` and mapping each error back to the input items it
 * names. Public evidence only guarantees that an item-upload error quotes the failing image URL
 * (`Failure when processing the image "<url>": …`, scaleapi/nucleus-python-client PR #67 and
 * tests/test_dataset.py); reference IDs are matched too where an error names them.
 */
import { looksLikeJson, tryParseJson } from './status';

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
