/**
 * One attempt of a request on the wire: build its body (again for every attempt, so a retry sends a
 * fresh stream), send it through undici, read the whole answer, and release the body's streams
 * whatever happened. The result is the answer or the failure ./retryLoop.ts decides on; nothing here
 * decides whether to try again.
 */
import type { Readable } from 'node:stream';

import type FormData from 'form-data';
import type { Logger } from 'n8n-workflow';
import { request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';

import type { AttemptOutcome } from './retryLoop';
import { isLocalBodyError, networkFailure, statusFailure } from './retryPolicy';
import { destroyQuietly, getStreamsOfForm, headerValue, makeAbortError } from './util';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
type BodyValue = string | Buffer | Readable | undefined;

export interface PreparedBody {
	body: BodyValue;
	headers: Record<string, string>;
	/** Streams to destroy once the attempt is over (releases file descriptors of unsent parts). */
	streams: unknown[];
}

/** What is sent, the same for every attempt of one request. */
export interface AttemptSpec {
	method: HttpMethod;
	url: string;
	headers: Record<string, string>;
	prepareBody: () => PreparedBody | Promise<PreparedBody>;
}

/** The connection and the reporting one attempt uses. */
export interface AttemptContext {
	dispatcher: Dispatcher;
	signal: AbortSignal | undefined;
	timeoutMs: number;
	logger: Logger | undefined;
	/** What debug lines show for the target (already redacted). */
	route: string;
	/** Called when a request goes on the wire (the client's request counter). */
	onSend: () => void;
	/** The error for a body that could not be read (not retried). */
	bodyError: (error: unknown) => Error;
}

/** The body of an API call: a multipart form (built anew per attempt), JSON, or nothing. */
export function apiCallBody(
	method: HttpMethod,
	json: unknown,
	form: (() => FormData | Promise<FormData>) | undefined,
): () => Promise<PreparedBody> {
	return async (): Promise<PreparedBody> => {
		if (form) {
			const fd = await form();
			const headers = fd.getHeaders() as Record<string, string>;
			// Content-Length only when every part has a known length; otherwise the body goes chunked.
			if (fd.hasKnownLength()) headers['content-length'] = String(fd.getLengthSync());
			return { body: fd as unknown as Readable, headers, streams: getStreamsOfForm(fd) };
		}
		// Like the SDK, a GET carries no body even when a payload is given.
		if (json !== undefined && method !== 'GET') {
			return {
				body: JSON.stringify(json),
				headers: { 'content-type': 'application/json' },
				streams: [],
			};
		}
		return { body: undefined, headers: {}, streams: [] };
	};
}

/** The body of a presigned PUT; a stream is sent with `contentLength` (S3 refuses chunked uploads). */
export function presignedBody(
	body: () => Readable | Buffer | string,
	contentLength: number | undefined,
): () => PreparedBody {
	return () => {
		const value = body();
		const headers: Record<string, string> = {};
		if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
			if (contentLength !== undefined) headers['content-length'] = String(contentLength);
			return { body: value, headers, streams: [value] };
		}
		return { body: value, headers, streams: [] };
	};
}

/** One attempt: its success, or the failure the policy decides on. Throws only on cancel and unreadable bodies. */
export async function sendAttempt(
	spec: AttemptSpec,
	ctx: AttemptContext,
	attempt: number,
): Promise<AttemptOutcome> {
	if (ctx.signal?.aborted) throw makeAbortError();
	let prepared: PreparedBody;
	try {
		prepared = await spec.prepareBody();
	} catch (error) {
		throw ctx.bodyError(error);
	}
	const log = { method: spec.method, route: ctx.route };
	try {
		ctx.onSend();
		const response = await undiciRequest(spec.url, {
			method: spec.method,
			headers: { ...spec.headers, ...prepared.headers },
			body: prepared.body,
			dispatcher: ctx.dispatcher,
			signal: ctx.signal,
			headersTimeout: ctx.timeoutMs,
			bodyTimeout: ctx.timeoutMs,
		});
		const status = response.statusCode;
		ctx.logger?.debug('Nucleus request', { ...log, status, attempt });
		// Reading the whole body also returns the keep-alive socket to the pool.
		const text = await response.body.text();
		const contentType = headerValue(response.headers['content-type']) ?? '';
		const answer = { status, contentType, text };
		if (status >= 200 && status < 300) return { ok: answer };
		return { failure: statusFailure(answer, headerValue(response.headers['retry-after'])) };
	} catch (error) {
		// Cancelled: never retried, surfaced at once as an AbortError.
		if (ctx.signal?.aborted) throw makeAbortError();
		// A local file or stream behind the body failed (e.g. ENOENT): not a network problem, not retried.
		if (isLocalBodyError(error)) throw ctx.bodyError(error);
		const failure = networkFailure(error);
		ctx.logger?.debug('Nucleus request', { ...log, attempt, error: failure.code ?? 'error' });
		return { failure };
	} finally {
		destroyQuietly(prepared.streams);
	}
}
