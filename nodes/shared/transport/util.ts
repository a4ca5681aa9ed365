/** Small helpers of the transport: URLs, cancellation, request bodies. */
import type FormData from 'form-data';
import { sleep } from 'n8n-workflow';

import { timerDelayMs } from '../timers';

/** Percent-encodes a user string for one path segment, leaving nothing unescaped ('/' becomes %2F), like the SDK. */
export function encodePathSegment(s: string): string {
	return encodeURIComponent(s).replace(
		/[!'()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
	);
}

/** Joins `<baseUrl>/<route>` with exactly one slash and appends the query (undefined values skipped). */
export function buildUrl(
	baseUrl: string,
	route: string,
	query?: Record<string, string | number | boolean | undefined>,
): string {
	const base = baseUrl.replace(/\/+$/, '');
	const path = route.replace(/^\/+/, '');
	let url = path ? `${base}/${path}` : base;
	if (query) {
		const params = new URLSearchParams();
		for (const [key, value] of Object.entries(query)) {
			if (value !== undefined) params.append(key, String(value));
		}
		const qs = params.toString();
		if (qs) url += (url.includes('?') ? '&' : '?') + qs;
	}
	return url;
}

export function isHttpUrl(value: string): boolean {
	try {
		const u = new URL(value);
		return (u.protocol === 'http:' || u.protocol === 'https:') && Boolean(u.hostname);
	} catch {
		return false;
	}
}

export function makeAbortError(): Error {
	const error = new Error('The operation was aborted');
	error.name = 'AbortError';
	return error;
}

/** True for the abort errors this module throws (name 'AbortError'). */
export function isAbortError(error: unknown): boolean {
	return error instanceof Error && error.name === 'AbortError';
}

/**
 * Sleeps `ms` (clamped to what a timer holds, ../timers.ts: every backoff, Retry-After wait and poll
 * interval passes here); rejects with an AbortError at once when `signal` fires (before or during
 * the sleep).
 */
export async function abortableSleep(wantedMs: number, signal?: AbortSignal): Promise<void> {
	const ms = timerDelayMs(wantedMs);
	if (!signal) {
		await sleep(ms);
		return;
	}
	if (signal.aborted) throw makeAbortError();
	let onAbort: (() => void) | undefined;
	const aborted = new Promise<never>((_resolve, reject) => {
		onAbort = () => reject(makeAbortError());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		// n8n-workflow's sleep clears its timer on abort; the race also covers versions whose sleep ignores the signal.
		await Promise.race([sleep(ms, signal), aborted]);
	} catch {
		// Both racers only reject when the signal fires.
		throw makeAbortError();
	} finally {
		if (onAbort) signal.removeEventListener('abort', onAbort);
	}
}

export function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

export function parseBody(text: string, contentType: string): unknown {
	if (text.length === 0) return undefined;
	if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return text;
		}
	}
	return text;
}

/** The streams inside a form-data FormData (its parts, and the user streams they wrap). */
export function getStreamsOfForm(form: FormData): unknown[] {
	// form-data keeps its parts in `_streams`; user streams are wrapped in a DelayedStream (`source`).
	const parts = (form as unknown as { _streams?: unknown[] })._streams;
	if (!Array.isArray(parts)) return [];
	const streams: unknown[] = [];
	for (const part of parts) {
		if (part && typeof part === 'object') {
			streams.push(part);
			const source = (part as { source?: unknown }).source;
			if (source && typeof source === 'object') streams.push(source);
		}
	}
	return streams;
}

/** Destroys streams left over by an attempt (releases file descriptors of unsent parts). */
export function destroyQuietly(streams: unknown[]): void {
	for (const stream of streams) {
		const s = stream as {
			destroy?: () => void;
			destroyed?: boolean;
			on?: (ev: string, fn: () => void) => void;
		};
		if (typeof s.destroy !== 'function' || s.destroyed === true) continue;
		try {
			s.on?.('error', () => {});
			s.destroy();
		} catch {
			// best effort: the stream is being released
		}
	}
}
