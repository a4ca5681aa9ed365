/**
 * Scrubbing of secrets from every string that can reach an output item, an error or a log line:
 *  - the API key and every encoding of it a request carries (Basic-auth Base64 of `key:`, padded or
 *    not, URL-safe, URL-encoded), and any `Authorization: Basic|Bearer …` value;
 *  - the user info of a URL (`https://user:password@host/…`, any scheme): users put credentials in
 *    image URLs, and the URL is sent to Nucleus as given, but shown without them;
 *  - presigned upload URLs: the query (signature, credential, token) and path segments that look
 *    like tokens (some stores sign in the path), wherever they appear in a text.
 * Replacements are the marker `[redacted]`, except user info, which is removed with its `@`.
 */
import { encodePathSegment } from './util';

export const REDACTED = '[redacted]';

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The API key, its Basic-auth and URL encodings (longest first, so a variant holding another goes whole). */
function keyVariants(apiKey: string): string[] {
	const variants = new Set<string>([apiKey, encodeURIComponent(apiKey)]);
	for (const raw of [`${apiKey}:`, apiKey]) {
		const b64 = Buffer.from(raw, 'utf8').toString('base64');
		variants.add(b64);
		variants.add(b64.replace(/=+$/, ''));
		variants.add(b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
	}
	return [...variants].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

// A URL-ish token: scheme://, then everything up to whitespace, a quote or an angle bracket.
const URL_TOKEN = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s"'<>`]*)/g;

/**
 * Removes the user info of every URL in `text` (`scheme://user:pass@host` → `scheme://host`).
 * The authority ends at the first `/`, `?`, `#` or `\`; its last `@` ends the user info (as the URL
 * standard reads it, so `p@ss` in a password goes too). A password with a raw `/` in it (an invalid
 * URL, but users write it) is caught as well: when the authority holds `name:` followed by a non-digit
 * (not a port) and an `@` follows later, everything up to that `@` goes.
 */
export function stripUrlUserinfo(text: string): string {
	if (!text || !text.includes('@')) return text;
	return text.replace(URL_TOKEN, (whole, scheme: string, rest: string) => {
		if (!rest.includes('@')) return whole;
		const end = rest.search(/[/?#\\]/);
		const authority = end === -1 ? rest : rest.slice(0, end);
		const at = authority.lastIndexOf('@');
		if (at !== -1) return scheme + rest.slice(at + 1);
		if (/^[^:@]*:(?!\d*$)/.test(authority)) {
			const later = rest.indexOf('@');
			if (later !== -1) return scheme + rest.slice(later + 1);
		}
		return whole;
	});
}

/**
 * Removes the API key (every encoding of it), Authorization header values and URL user info from a
 * string. Used on everything the transport puts into errors and logs.
 */
export function scrubSecrets(text: string, apiKey: string | undefined): string {
	if (!text) return text;
	let out = text.replace(
		/(authorization\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+/gi,
		`$1$2 ${REDACTED}`,
	);
	if (apiKey) {
		for (const v of keyVariants(apiKey)) {
			out = out.replace(new RegExp(escapeRegExp(v), 'g'), REDACTED);
		}
	}
	return stripUrlUserinfo(out);
}

/** Replaces each of `secrets` (exact strings, longest first) in `text`. */
export function removeStrings(text: string, secrets: string[]): string {
	let out = text;
	for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED);
	return out;
}

function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/**
 * A path segment that looks like a signature or token rather than a name: token characters only and
 * either at least 24 of them, or at least 12 with two digits and two letters among them (hex and
 * Base64 tokens; `key.ndjson` or `images` stay readable).
 */
export function looksLikeToken(segment: string): boolean {
	const s = safeDecode(segment);
	if (!/^[A-Za-z0-9_\-.~+=/]+$/.test(s)) return false;
	if (s.length >= 24) return true;
	if (s.length < 12) return false;
	const digits = s.replace(/[^0-9]/g, '').length;
	const letters = s.replace(/[^A-Za-z]/g, '').length;
	return digits >= 2 && letters >= 2;
}

/**
 * A URL as shown in errors and logs: scheme, host and path, without user info, query or fragment,
 * with token-like path segments replaced by `[redacted]` (presigned URLs carry signatures in either).
 */
export function redactUrl(url: string): string {
	try {
		const u = new URL(url);
		const path = u.pathname
			.split('/')
			.map((seg) => (seg && looksLikeToken(seg) ? REDACTED : seg))
			.join('/');
		return `${u.protocol}//${u.host}${path}`;
	} catch {
		return stripUrlUserinfo(url.split(/[?#]/)[0]);
	}
}

/** Free text shorter than this is not removed from messages: it would cut ordinary words apart. */
const MIN_FREE_TEXT_SECRET = 4;

/**
 * The strings of a presigned URL that must never be echoed (longest first): the URL itself, its path
 * and query, EVERY query value (raw and encoded; as free text from 4 characters, and at any length
 * in its `key=value` form), token-like path segments (raw and decoded), and the user info. Used to
 * clean the storage service's answers, which may quote them (S3's SignatureDoesNotMatch does).
 */
export function presignedSecrets(url: string): string[] {
	const secrets = new Set<string>();
	/** Removed whatever their length: they cannot be ordinary words. */
	const pairs = new Set<string>();
	try {
		const u = new URL(url);
		secrets.add(url);
		if (u.search.length > 1) secrets.add(u.search.slice(1));
		for (const [key, value] of u.searchParams) {
			if (!value) continue;
			secrets.add(value);
			secrets.add(encodeURIComponent(value));
			pairs.add(`${key}=${value}`);
			pairs.add(`${encodeURIComponent(key)}=${encodeURIComponent(value)}`);
		}
		for (const seg of u.pathname.split('/')) {
			if (seg && looksLikeToken(seg)) {
				secrets.add(seg);
				secrets.add(safeDecode(seg));
			}
		}
		if (u.username) secrets.add(u.username);
		if (u.password) secrets.add(u.password);
	} catch {
		// Not a URL: nothing to list (the caller refuses non-http(s) upload URLs anyway).
	}
	return [...[...secrets].filter((s) => s.length >= MIN_FREE_TEXT_SECRET), ...pairs]
		.filter((s, i, all) => all.indexOf(s) === i)
		.sort((a, b) => b.length - a.length);
}

/** A route as logged and shown: a path segment whose decoded text holds URL user info is re-encoded without it. */
export function redactRoute(route: string): string {
	if (!route.includes('%40') && !route.includes('@')) return route;
	return route
		.split('/')
		.map((seg) => {
			const decoded = safeDecode(seg);
			const clean = stripUrlUserinfo(decoded);
			return clean === decoded ? seg : encodePathSegment(clean);
		})
		.join('/');
}

/** What output items and user-facing messages show: text with URL user info removed. */
export function redactText(text: string): string {
	return stripUrlUserinfo(text);
}

const MAX_DEPTH = 64;

/**
 * `value` with URL user info removed from every string in it (objects and arrays are copied only
 * where something changed; other values are returned as they are). For output items' json.
 */
export function redactDeep<T>(value: T, depth = 0): T {
	if (typeof value === 'string') return stripUrlUserinfo(value) as T;
	if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
	if (Array.isArray(value)) {
		let copy: unknown[] | undefined;
		value.forEach((v, i) => {
			const r = redactDeep(v, depth + 1);
			if (r !== v) {
				copy ??= [...value];
				copy[i] = r;
			}
		});
		return (copy ?? value) as T;
	}
	const proto = Object.getPrototypeOf(value) as unknown;
	if (proto !== Object.prototype && proto !== null) return value;
	let copy: Record<string, unknown> | undefined;
	for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
		const r = redactDeep(v, depth + 1);
		if (r !== v) {
			copy ??= { ...(value as Record<string, unknown>) };
			copy[k] = r;
		}
	}
	return (copy ?? value) as T;
}

/**
 * Removes URL user info from an error's message, description, stack and messages (in place, causes
 * included) and returns it: what n8n shows and stores of a failed item or run.
 */
export function redactError<E>(error: E, depth = 0): E {
	if (!(error instanceof Error) || depth > 4) return error;
	const e = error as Error & { description?: unknown; messages?: unknown; cause?: unknown };
	if (e.message.includes('@')) e.message = stripUrlUserinfo(e.message);
	if (typeof e.stack === 'string' && e.stack.includes('@')) e.stack = stripUrlUserinfo(e.stack);
	if (typeof e.description === 'string' && e.description.includes('@')) {
		e.description = stripUrlUserinfo(e.description);
	}
	if (Array.isArray(e.messages)) {
		e.messages = e.messages.map((m) => (typeof m === 'string' ? stripUrlUserinfo(m) : m));
	}
	if (e.cause instanceof Error) redactError(e.cause, depth + 1);
	return error;
}
