/** What callers of NucleusClient can set: per client, per request, per presigned upload. */
import type FormData from 'form-data';
import type { Logger } from 'n8n-workflow';

import type { RequestKind } from './retryPolicy';

export interface ClientOptions {
	/** Max sockets in the keep-alive pool (default 16); set it to the caller's concurrency. */
	connections?: number;
	/** Total attempts per request, including the first (default 5; the node's Max Attempts). */
	maxAttempts?: number;
	/** Longest wait for an answer's headers, and longest pause within its body (default 60_000 ms). */
	requestTimeoutMs?: number;
	/** Time within which a request's attempts and backoff waits start (default: 3 min or 3 timeouts). */
	totalBudgetMs?: number;
	/** Backoff base in ms (default 500): delay = min(retryMaxDelayMs, base * 2^(n-1)) * jitter(0.5..1.5). */
	retryBaseMs?: number;
	/** Cap for the computed backoff (default 20_000 ms). A server's Retry-After is honoured as given. */
	retryMaxDelayMs?: number;
	/** Execution cancel signal: aborts in-flight requests and backoff sleeps. */
	signal?: AbortSignal;
	/** n8n logger; debug lines carry method, route, status and attempt only. */
	logger?: Logger;
	/** Default 'n8n-nodes-scale-nucleus/<version>'. */
	userAgent?: string;
}

export interface RequestOptions {
	query?: Record<string, string | number | boolean | undefined>;
	/** JSON body (Content-Type: application/json). */
	json?: unknown;
	/** Factory of a form-data FormData; called once per attempt so a retry rebuilds the streamed body. */
	form?: () => FormData | Promise<FormData>;
	/** Put on the NodeApiError (context.itemIndex). */
	itemIndex?: number;
	/**
	 * What the request does, for the retry policy (./retryPolicy.ts). Default: 'read' for GET,
	 * 'write' (sent again only when it cannot have been processed) for anything else.
	 */
	kind?: RequestKind;
	/** kind 'uploadAppendJob': the presigned URL the file went to, so look-first can recognise its job. */
	uploadUrl?: string;
	/** Default true; false makes one attempt whatever the failure. */
	retry?: boolean;
	/** Overrides the client's request timeout for this call. */
	timeoutMs?: number;
	/**
	 * Called when a retry is due, before its backoff sleep, with the HTTP status that caused it
	 * (undefined after a network error): a caller can slow down when the server throttles (429) and
	 * give the request's slot to another one while this one sleeps.
	 */
	onRetry?: (info: RetryInfo) => void;
	/**
	 * Awaited after the backoff sleep, before the retry is sent (a pool can hold it until a slot is
	 * free). Time spent here does not count against the request's time budget.
	 */
	beforeRetry?: () => Promise<void>;
}

export interface RetryInfo {
	status?: number;
	/** The attempt that failed (1 = the first). */
	attempt: number;
	delayMs: number;
}

export interface PresignedPutOptions {
	/** Sent as Content-Length when the body is a stream (S3 refuses chunked uploads). */
	contentLength?: number;
	itemIndex?: number;
	timeoutMs?: number;
}
