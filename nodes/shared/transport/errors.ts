/**
 * The errors the transport throws: NodeApiError for HTTP and network failures (with the API's own
 * words, a hint per status, what the retry policy did, whether a write may have been applied, and
 * the declared cause of ./failureCause.ts), NodeOperationError when the request body could not be read. Every text has been through the client's scrub (./redact.ts) before it gets here
 * or is scrubbed here; nothing carries the API key, an Authorization header or URL credentials.
 */
import type { Failure as DeclaredFailure, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { oneLine } from '../text';
import { declaredFailure } from './failureCause';
import { errorCode, type Failure, type RequestKind } from './retryPolicy';
import { parseBody } from './util';

const MAX_MESSAGE_CHARS = 300;

/** What an error needs to know about the request (all strings already safe to show). */
export interface ErrorTarget {
	method: string;
	/** The route for API calls, the redacted URL for presigned uploads. */
	label: string;
	host: string;
	presigned: boolean;
	/** What the request does, for what its error says about a lost answer. */
	kind: RequestKind;
	itemIndex?: number;
}

/** How a request ended without an answer. */
export interface Ending {
	/** What the retry policy did (attempts made, why it stopped). */
	note: string;
	/** A write of which an attempt lost its answer (./retryPolicy.ts `mayHaveApplied`). */
	mayHaveApplied: boolean;
}

export interface ErrorContext {
	node: INode;
	/** Removes the key, URL credentials and this request's extra secrets. */
	scrub: (text: string) => string;
	/** The credential's Base URL as it may be shown. */
	baseUrlShown: string;
}

function truncate(text: string, max = MAX_MESSAGE_CHARS): string {
	return oneLine(text, max);
}

/** The API's own words: `error`/`message`/`detail` of a JSON body, the <Code>/<Message> of an XML body, or the text. */
function extractApiMessage(text: string, contentType: string): string {
	const parsed = parseBody(text, contentType);
	if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
		const body = parsed as Record<string, unknown>;
		for (const key of ['error', 'message', 'detail', 'error_message']) {
			const value = body[key];
			if (typeof value === 'string' && value.trim()) return value;
			if (value && typeof value === 'object') {
				const nested = (value as Record<string, unknown>).message;
				if (typeof nested === 'string' && nested.trim()) return nested;
			}
		}
		return JSON.stringify(parsed);
	}
	if (typeof parsed === 'string') {
		const code = /<Code>([^<]*)<\/Code>/i.exec(parsed)?.[1];
		const message = /<Message>([^<]*)<\/Message>/i.exec(parsed)?.[1];
		if (code || message) return [code, message].filter(Boolean).join(': ');
		return parsed.replace(/<[^>]+>/g, ' ');
	}
	return '';
}

export function hintForStatus(status: number, presigned: boolean): string {
	if (presigned) {
		if (status === 403) {
			return 'The storage service refused the upload. The presigned URL may have expired; run the node again to get a new one.';
		}
		if (status >= 500) return 'The storage service is unavailable; try again later.';
		return 'The storage service rejected the upload to the presigned URL.';
	}
	switch (status) {
		case 400:
			return 'Nucleus rejected the request as invalid; check the parameters named in the message.';
		case 401:
			return 'Check the API key in the Scale Nucleus API credential (it is sent as the Basic-auth username; live and test keys are separate).';
		case 403:
			return 'The API key is not allowed to access this resource; check that the dataset belongs to the team of this API key.';
		case 404:
			return 'Check the dataset ID or job ID, and that the Base URL in the credential points at the Nucleus API.';
		case 413:
			return 'The request body is too large for Nucleus; lower the batch size.';
		case 429:
			return 'Nucleus is rate limiting requests; lower the concurrency or batch size, or try again later.';
		default:
			if (status >= 500) return 'Nucleus is unavailable or overloaded; try again later.';
			return 'Nucleus could not process the request; check the parameters.';
	}
}

function describeNetworkError(code: string | undefined, timeoutMs: number): string {
	switch (code) {
		case 'ECONNREFUSED':
			return 'nothing accepted the connection';
		case 'ENOTFOUND':
			return 'the host name could not be resolved';
		case 'EAI_AGAIN':
			return 'the host name could not be resolved (DNS temporarily unavailable)';
		case 'ECONNRESET':
		case 'EPIPE':
		case 'UND_ERR_SOCKET':
			return 'the connection was closed unexpectedly';
		case 'ETIMEDOUT':
		case 'UND_ERR_CONNECT_TIMEOUT':
			return 'the connection timed out';
		case 'UND_ERR_HEADERS_TIMEOUT':
			return `no response within ${formatSeconds(timeoutMs)} (the Request Timeout)`;
		case 'UND_ERR_BODY_TIMEOUT':
			return `the response stalled for ${formatSeconds(timeoutMs)} (the Request Timeout)`;
		default:
			return 'the request failed';
	}
}

/** `2 s`, `0.5 s`: tenths at most, and never `1.0 s` (999 ms rounds to a whole second). */
export function formatSeconds(ms: number): string {
	const s = Math.round(ms / 100) / 10;
	return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/** `2026-12-01T13:31:05Z` (UTC, whole seconds). */
export function formatTime(epochMs: number): string {
	return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** The end of the first line of an error whose write may have been applied: the user must check. */
export function mayHaveAppliedText(kind: RequestKind): string {
	const what =
		kind === 'legacyAppend' || kind === 'batchAppendJob' || kind === 'uploadAppendJob'
			? 'its items may already be in the dataset'
			: kind === 'createDataset'
				? 'the dataset may have been created'
				: 'it may have been applied';
	return `; Nucleus may have received the request before its answer was lost, so ${what}`;
}

function apiError(
	ctx: ErrorContext,
	errorResponse: JsonObject,
	message: string,
	description: string,
	httpCode: string | undefined,
	itemIndex: number | undefined,
	failure: DeclaredFailure | undefined,
): NodeApiError {
	const error = new NodeApiError(ctx.node, errorResponse, {
		message,
		description,
		httpCode,
		itemIndex,
		failure,
	});
	// NodeApiError swaps messages that mention OS error codes (e.g. ECONNREFUSED) for generic texts; keep ours.
	error.message = message;
	error.description = description;
	error.messages = [];
	return error;
}

/**
 * An HTTP answer that ends the request. `note` is what the retry policy did (attempts made, why it
 * stopped); `messageSuffix` goes on the first line (e.g. when to retry).
 */
function httpError(
	ctx: ErrorContext,
	target: ErrorTarget,
	answer: { status: number; text: string; contentType: string },
	note: string,
	messageSuffix: string,
	failure: DeclaredFailure | undefined,
): NodeApiError {
	const { status } = answer;
	const apiMessage = truncate(ctx.scrub(extractApiMessage(answer.text, answer.contentType)));
	const message = target.presigned
		? `Upload to ${target.label} failed with HTTP ${status}${apiMessage ? `: ${apiMessage}` : ''}${messageSuffix}`
		: `Nucleus API error ${status} (${target.method} ${target.label})${apiMessage ? `: ${apiMessage}` : ''}${messageSuffix}`;
	const description = [hintForStatus(status, target.presigned), note].filter(Boolean).join(' ');
	const errorResponse: JsonObject = {
		status,
		method: target.method,
		route: target.label,
		body: truncate(ctx.scrub(answer.text), 1000),
	};
	return apiError(
		ctx,
		errorResponse,
		message,
		description,
		String(status),
		target.itemIndex,
		failure,
	);
}

/** A connection-level failure that ends the request. */
function networkError(
	ctx: ErrorContext,
	target: ErrorTarget,
	error: unknown,
	timeoutMs: number,
	note: string,
	messageSuffix: string,
	failure: DeclaredFailure | undefined,
): NodeApiError {
	const code = errorCode(error);
	const rawMessage = error instanceof Error ? error.message : String(error);
	const reason = code ?? truncate(ctx.scrub(rawMessage), 120);
	const what = describeNetworkError(code, timeoutMs);
	const message = target.presigned
		? `Could not reach the upload host ${target.host} (${reason}): ${what}${messageSuffix}`
		: `Could not reach Nucleus at ${target.host} (${reason}): ${what}${messageSuffix || '; the Base URL in the credential may be wrong or the service may be down'}`;
	const hint = target.presigned
		? 'The upload to the presigned URL did not complete; check the network and proxy settings of the n8n host.'
		: `Check the Base URL in the Scale Nucleus API credential (currently ${ctx.baseUrlShown}) and the network or proxy settings of the n8n host.`;
	const errorResponse: JsonObject = {
		code: code ?? null,
		host: target.host,
		method: target.method,
		route: target.label,
		detail: truncate(ctx.scrub(rawMessage), MAX_MESSAGE_CHARS),
	};
	return apiError(
		ctx,
		errorResponse,
		message,
		[hint, note].filter(Boolean).join(' '),
		undefined,
		target.itemIndex,
		failure,
	);
}

/** The error that ends a request with `failure`, its cause declared (./failureCause.ts). */
export function failureError(
	ctx: ErrorContext,
	target: ErrorTarget,
	failure: Failure,
	timeoutMs: number,
	ending: Ending,
	now = Date.now(),
): NodeApiError {
	const declared = declaredFailure(failure, target.presigned);
	const applied = ending.mayHaveApplied ? mayHaveAppliedText(target.kind) : '';
	if (failure.answer) {
		const wait =
			failure.retryAfterMs !== undefined
				? `; Nucleus asks to retry after ${formatTime(now + failure.retryAfterMs)} (in ${formatSeconds(failure.retryAfterMs)})`
				: '';
		return httpError(ctx, target, failure.answer, ending.note, wait + applied, declared);
	}
	return networkError(ctx, target, failure.error, timeoutMs, ending.note, applied, declared);
}

/** A failure in a few words (`HTTP 503`, `ECONNRESET`), for messages that quote it. */
export function failureText(failure: Failure): string {
	return failure.status !== undefined
		? `HTTP ${failure.status}`
		: (failure.code ?? 'network error');
}

/** The request body (a file, a binary stream, the form factory) could not be read: nothing to retry. */
export function bodyError(
	ctx: ErrorContext,
	target: ErrorTarget,
	error: unknown,
): NodeOperationError {
	const code = errorCode(error);
	const raw = error instanceof Error ? error.message : String(error);
	const detail = truncate(ctx.scrub(raw));
	const what = target.presigned ? 'the upload' : `${target.method} ${target.label}`;
	const message = `Could not read the request body for ${what}${code ? ` (${code})` : ''}: ${detail}`;
	const result = new NodeOperationError(ctx.node, message, {
		description: 'Check that the files or binary data being sent exist and are readable.',
		itemIndex: target.itemIndex,
	});
	// NodeOperationError swaps messages that mention OS error codes (e.g. ENOENT) for generic texts; keep ours.
	result.message = message;
	return result;
}

/** Look-first could not tell whether the request was done, and the policy says not to risk a repeat. */
export function inconclusiveError(
	ctx: ErrorContext,
	target: ErrorTarget,
	finding: string,
	failure: string,
): NodeOperationError {
	const message = `${target.method} ${target.label} may have been done by Nucleus, but the node could not confirm it: ${ctx.scrub(finding)}`;
	return new NodeOperationError(ctx.node, message, {
		description: `The request failed without a clear answer (${failure}) and was not sent again, so that nothing is created twice. Check the result in Nucleus before running the node again.`,
		itemIndex: target.itemIndex,
	});
}
