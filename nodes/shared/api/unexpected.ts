/**
 * The error for a 2xx answer whose body is not what the operation needs (an HTML page from a proxy,
 * `{}`, truncated JSON, an array where an object belongs). It says what arrived: the kind of body
 * and its first characters, scrubbed of anything that looks like a credential.
 *
 * Only 2xx answers get here: the transport turns every other status into a NodeApiError with its
 * status and the API's message. The transport hands over the parsed body, not its headers, so the
 * kind is read from the body itself (a text body is one the transport could not parse as JSON).
 */
import { OperationalError } from 'n8n-workflow';

import { oneLine } from '../text';

const PREVIEW_CHARS = 100;

export class UnexpectedAnswerError extends OperationalError {
	readonly description: string;

	constructor(message: string, description: string) {
		super(message);
		this.description = description;
	}
}

/**
 * Removes what could be a credential from a preview: Authorization values (`Basic …`, `Bearer …`),
 * user info in URLs, query strings of URLs (presigned signatures) and Scale-style keys. The API key
 * itself is known only to the transport; this covers the forms a server or proxy echoes.
 */
export function scrubPreview(text: string): string {
	return text
		.replace(/\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]+/gi, '$1 [redacted]')
		.replace(/(x-limited-access-key["']?\s*[:=]\s*["']?)[^\s"',;]+/gi, '$1[redacted]')
		.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]*@/gi, '$1[redacted]@')
		.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s?#"'<>]*)\?[^\s#"'<>]*/gi, '$1?[redacted]')
		.replace(/\b(?:live|test)_[A-Za-z0-9]{16,}\b/g, '[redacted]');
}

/** Scrubbed first, then shortened: a secret cut in half by the shortening would not be recognised. */
function preview(text: string): string {
	return `'${oneLine(scrubPreview(text), PREVIEW_CHARS)}'`;
}

function json(value: unknown): string {
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

/** What a parsed body is, in words, with its first characters: "an HTML page ('<!doctype html>…')". */
export function describeBody(raw: unknown): string {
	if (raw === undefined) return 'an empty body';
	if (typeof raw === 'string') {
		const t = raw.trim();
		if (t.length === 0) return 'a body of only whitespace';
		if (/^<(!doctype\s+html|html|head|body)\b/i.test(t)) return `an HTML page (${preview(t)})`;
		if (t.startsWith('<')) return `markup, not JSON (${preview(t)})`;
		if (t.startsWith('{') || t.startsWith('[')) {
			return `JSON that does not parse, perhaps cut off (${preview(t)})`;
		}
		return `text, not JSON (${preview(t)})`;
	}
	if (raw === null) return 'JSON null';
	if (Array.isArray(raw)) {
		return `a JSON array of ${raw.length} ${raw.length === 1 ? 'entry' : 'entries'} (${preview(json(raw))})`;
	}
	if (typeof raw === 'object') {
		const keys = Object.keys(raw);
		if (keys.length === 0) return 'an empty JSON object ({})';
		return `a JSON object (${preview(json(raw))})`;
	}
	return `the JSON value ${preview(json(raw))}`;
}

export const CHECK_BASE_URL =
	'The request succeeded (HTTP 2xx), but the body is not what Nucleus sends. If this repeats, check the Base URL in the Scale Nucleus API credential: a proxy, a login page or another service may be answering instead of the Nucleus API.';

/**
 * `Nucleus answered GET dataset/ds_x/info with an HTML page ('…'); expected the dataset's info (an
 * object with its name)`. `note` is added to the description (e.g. what may have happened anyway).
 */
export function unexpectedAnswer(
	request: string,
	expected: string,
	raw: unknown,
	note?: string,
): UnexpectedAnswerError {
	return new UnexpectedAnswerError(
		`Nucleus answered ${request} with ${describeBody(raw)}; expected ${expected}`,
		note ? `${note} ${CHECK_BASE_URL}` : CHECK_BASE_URL,
	);
}

export function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `error` text of a 2xx body that carries `{error, status_code}` (the SDK's `NucleusClient.create_model` reads it), if any. */
export function embeddedError(raw: unknown): string | undefined {
	if (!isObject(raw)) return undefined;
	const error = raw.error;
	if (typeof error === 'string' && error.trim()) return scrubPreview(oneLine(error, 300));
	if (isObject(error) && typeof error.message === 'string' && error.message.trim()) {
		return scrubPreview(oneLine(error.message, 300));
	}
	return undefined;
}
