/**
 * HTTP transport for the Scale Nucleus API, on undici (keep-alive pool) and form-data (streamed multipart).
 *
 * This is the only module that sees the API key: it builds the Basic-auth header, and every string that can
 * reach an error or a log line goes through `scrubSecrets` first.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';

import type FormData from 'form-data';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
	JsonObject,
	Logger,
} from 'n8n-workflow';
import { Agent, EnvHttpProxyAgent, request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';

import { DEFAULT_BASE_URL } from '../../credentials/ScaleNucleusApi.credentials';
import { version as packageVersion } from '../../package.json';
import type { NucleusCredentials } from './api/types';
import { oneLine } from './text';

export type { NucleusCredentials } from './api/types';

export const CREDENTIAL_NAME = 'scaleNucleusApi';

export interface ClientOptions {
	/** Max sockets in the keep-alive pool (default 16); set it to the caller's concurrency. */
	connections?: number;
	/** Total attempts per request, including the first (default 5). */
	maxAttempts?: number;
	/** Backoff base in ms (default 500): delay = min(retryMaxDelayMs, base * 2^(n-1)) * jitter(0.5..1.5). */
	retryBaseMs?: number;
	/** Cap for the computed backoff (default 20_000 ms). */
	retryMaxDelayMs?: number;
	/** Cap for a server's Retry-After (default 60_000 ms). */
	retryAfterMaxMs?: number;
	/** Time to wait for response headers (default 120_000 ms, as the Nucleus SDK). */
	headersTimeoutMs?: number;
	/** Max idle time while receiving the body (default 120_000 ms). */
	bodyTimeoutMs?: number;
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
	/** Default true. */
	retry?: boolean;
	/** Overrides the headers and body timeouts for this call. */
	timeoutMs?: number;
	/**
	 * Called when a retry is due, before its backoff sleep, with the HTTP status that caused it
	 * (undefined after a network error): a caller can slow down when the server throttles (429) and
	 * give the request's slot to another one while this one sleeps.
	 */
	onRetry?: (info: RetryInfo) => void;
	/** Awaited after the backoff sleep, before the retry is sent (a pool can hold it until a slot is free). */
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

type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
type BodyValue = string | Buffer | Readable | undefined;

interface PreparedBody {
	body: BodyValue;
	headers: Record<string, string>;
	/** Streams to destroy once the attempt is over (releases file descriptors of unsent parts). */
	streams: unknown[];
}

interface SendSpec {
	method: HttpMethod;
	url: string;
	/** What logs and errors show for the target: the route for API calls, origin+path for presigned URLs. */
	label: string;
	headers: Record<string, string>;
	prepareBody: () => PreparedBody | Promise<PreparedBody>;
	retry: boolean;
	timeoutMs?: number;
	itemIndex?: number;
	presigned: boolean;
	/** Extra strings to remove from errors (the signature values of a presigned URL). */
	secrets: string[];
	onRetry?: (info: RetryInfo) => void;
	beforeRetry?: () => Promise<void>;
}

interface HttpResult {
	status: number;
	contentType: string;
	text: string;
}

const DEFAULTS = {
	connections: 16,
	maxAttempts: 5,
	retryBaseMs: 500,
	retryMaxDelayMs: 20_000,
	retryAfterMaxMs: 60_000,
	headersTimeoutMs: 120_000,
	bodyTimeoutMs: 120_000,
};

const MAX_MESSAGE_CHARS = 300;

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504, 520, 524]);

const RETRYABLE_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
	'UND_ERR_CONNECT_TIMEOUT',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

const PROXY_ENV_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];

/** Sleeps `ms`; rejects with an AbortError at once when `signal` fires (before or during the sleep). */
export async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
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

/** Percent-encodes a user string for one path segment, leaving nothing unescaped ('/' becomes %2F), like the SDK. */
export function encodePathSegment(s: string): string {
	return encodeURIComponent(s).replace(
		/[!'()*]/g,
		(c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
	);
}

/** 429, 502, 503, 504, 520 and 524 are retried (the SDK retries 503/504/520/524; we add 429 and 502). */
export function isRetryableStatus(status: number): boolean {
	return RETRYABLE_STATUSES.has(status);
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

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Removes the API key and every encoding of it that can travel in a request (the Basic-auth Base64 of
 * `key:` with or without padding, Base64 of the bare key, URL-encoded key) from a string.
 */
export function scrubSecrets(text: string, apiKey: string | undefined): string {
	if (!text || !apiKey) return text;
	const variants = new Set<string>();
	variants.add(apiKey);
	variants.add(encodeURIComponent(apiKey));
	for (const raw of [`${apiKey}:`, apiKey]) {
		const b64 = Buffer.from(raw, 'utf8').toString('base64');
		variants.add(b64);
		variants.add(b64.replace(/=+$/, ''));
		variants.add(b64.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'));
	}
	// Longest first, so a variant that contains another is replaced whole.
	const sorted = [...variants].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
	let out = text.replace(
		/(authorization\s*[:=]\s*["']?)(basic|bearer)\s+[A-Za-z0-9+/=._~-]+/gi,
		'$1$2 [redacted]',
	);
	for (const v of sorted) {
		out = out.replace(new RegExp(escapeRegExp(v), 'g'), '[redacted]');
	}
	return out;
}

/** Origin and path of a URL without its query string or user info (presigned URLs carry signatures). */
export function redactUrl(url: string): string {
	try {
		const u = new URL(url);
		return `${u.protocol}//${u.host}${u.pathname}`;
	} catch {
		return url.split(/[?#]/)[0];
	}
}

/** The query string and its longer values: a presigned URL's signature, credential and token. */
function presignedSecrets(url: string): string[] {
	try {
		const u = new URL(url);
		const secrets = new Set<string>();
		if (u.search.length > 1) secrets.add(u.search.slice(1));
		for (const value of u.searchParams.values()) {
			if (value.length >= 8) {
				secrets.add(value);
				secrets.add(encodeURIComponent(value));
			}
		}
		return [...secrets].sort((a, b) => b.length - a.length);
	} catch {
		return [];
	}
}

function truncate(text: string, max = MAX_MESSAGE_CHARS): string {
	return oneLine(text, max);
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

interface ErrorLike {
	code?: unknown;
	message?: unknown;
	cause?: unknown;
	errors?: unknown;
}

function errorCode(error: unknown): string | undefined {
	const seen = new Set<unknown>();
	let current: unknown = error;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		const e = current as ErrorLike;
		if (typeof e.code === 'string' && e.code !== 'UND_ERR') return e.code;
		if (Array.isArray(e.errors) && e.errors.length > 0) {
			const inner = errorCode(e.errors[0]);
			if (inner) return inner;
		}
		current = e.cause;
	}
	return undefined;
}

/** Errors raised by a file or stream that feeds the body, rather than by the connection. */
function isLocalBodyError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	const e = error as { path?: unknown; syscall?: unknown; code?: unknown };
	if (typeof e.path === 'string') return true;
	// A socket read that fails (`read ECONNRESET`) is the connection, not a file: retry it.
	if (typeof e.code === 'string' && RETRYABLE_ERROR_CODES.has(e.code)) return false;
	return (
		typeof e.syscall === 'string' &&
		['open', 'read', 'stat', 'fstat', 'scandir', 'lstat'].includes(e.syscall)
	);
}

function isRetryableError(error: unknown): boolean {
	const code = errorCode(error);
	if (code && RETRYABLE_ERROR_CODES.has(code)) return true;
	const message = error instanceof Error ? error.message : '';
	return /other side closed/i.test(message);
}

function headerValue(value: string | string[] | undefined): string | undefined {
	return Array.isArray(value) ? value[0] : value;
}

/** Retry-After as seconds or an HTTP date → milliseconds (undefined when absent or unparsable). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
	if (!value) return undefined;
	const trimmed = value.trim();
	if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
	const date = Date.parse(trimmed);
	if (Number.isNaN(date)) return undefined;
	return Math.max(0, date - now);
}

function parseBody(text: string, contentType: string): unknown {
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

function hintForStatus(status: number, presigned: boolean): string {
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

function describeNetworkError(code: string | undefined): string {
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
			return 'no response arrived in time';
		case 'UND_ERR_BODY_TIMEOUT':
			return 'the response body stalled';
		default:
			return 'the request failed';
	}
}

function getStreamsOfForm(form: FormData): unknown[] {
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

function destroyQuietly(streams: unknown[]): void {
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

function proxyConfiguredInEnvironment(): boolean {
	return PROXY_ENV_VARS.some((name) => Boolean(process.env[name]));
}

function isHttpUrl(value: string): boolean {
	try {
		const u = new URL(value);
		return (u.protocol === 'http:' || u.protocol === 'https:') && Boolean(u.hostname);
	} catch {
		return false;
	}
}

export class NucleusClient {
	readonly stats = { requests: 0, retries: 0 };

	/** 'agent' or 'env-proxy' (EnvHttpProxyAgent, chosen when HTTP(S)_PROXY is set). */
	readonly dispatcherKind: 'agent' | 'env-proxy';

	readonly baseUrl: string;

	readonly #apiKey: string;

	readonly #authorization: string;

	readonly #node: INode;

	readonly #dispatcher: Dispatcher;

	/** Internal signal linked to the caller's: undici and the backoff sleeps listen here, not on n8n's signal. */
	readonly #signal: AbortSignal | undefined;

	#unlinkSignal: (() => void) | undefined;

	readonly #logger: Logger | undefined;

	readonly #userAgent: string;

	readonly #maxAttempts: number;

	readonly #retryBaseMs: number;

	readonly #retryMaxDelayMs: number;

	readonly #retryAfterMaxMs: number;

	readonly #headersTimeoutMs: number;

	readonly #bodyTimeoutMs: number;

	#closed = false;

	constructor(node: INode, credentials: NucleusCredentials, options: ClientOptions = {}) {
		this.#node = node;
		const apiKey = typeof credentials?.apiKey === 'string' ? credentials.apiKey.trim() : '';
		if (!apiKey) {
			throw new NodeOperationError(node, 'The Scale Nucleus API credential has no API key', {
				description: 'Open the credential and paste your Scale API key.',
			});
		}
		this.#apiKey = apiKey;
		this.#authorization = `Basic ${Buffer.from(`${apiKey}:`, 'utf8').toString('base64')}`;

		const rawBase =
			typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim()
				? credentials.baseUrl.trim()
				: DEFAULT_BASE_URL;
		if (!isHttpUrl(rawBase)) {
			throw new NodeOperationError(
				node,
				`The Base URL in the Scale Nucleus API credential is not an http(s) URL: "${truncate(scrubSecrets(redactUrl(rawBase), apiKey), 100)}"`,
				{ description: `Use a URL such as ${DEFAULT_BASE_URL}.` },
			);
		}
		this.baseUrl = rawBase.replace(/\/+$/, '');

		const external = options.signal;
		if (external) {
			const controller = new AbortController();
			// Every in-flight request and backoff sleep listens for the abort; concurrency 16+ is normal here.
			setMaxListeners(0, controller.signal);
			if (external.aborted) {
				controller.abort();
			} else {
				const onAbort = () => controller.abort();
				external.addEventListener('abort', onAbort, { once: true });
				this.#unlinkSignal = () => external.removeEventListener('abort', onAbort);
			}
			this.#signal = controller.signal;
		}
		this.#logger = options.logger;
		this.#userAgent = options.userAgent ?? `n8n-nodes-scale-nucleus/${packageVersion}`;
		this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULTS.maxAttempts));
		this.#retryBaseMs = Math.max(0, options.retryBaseMs ?? DEFAULTS.retryBaseMs);
		this.#retryMaxDelayMs = Math.max(0, options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs);
		this.#retryAfterMaxMs = Math.max(0, options.retryAfterMaxMs ?? DEFAULTS.retryAfterMaxMs);
		this.#headersTimeoutMs = options.headersTimeoutMs ?? DEFAULTS.headersTimeoutMs;
		this.#bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULTS.bodyTimeoutMs;

		const agentOptions = {
			connections: Math.max(1, Math.floor(options.connections ?? DEFAULTS.connections)),
			keepAliveTimeout: 10_000,
			keepAliveMaxTimeout: 60_000,
			headersTimeout: this.#headersTimeoutMs,
			bodyTimeout: this.#bodyTimeoutMs,
		};
		// Same rule as n8n itself: HTTP_PROXY/HTTPS_PROXY (and lower-case) from the environment, NO_PROXY honoured.
		if (proxyConfiguredInEnvironment()) {
			this.dispatcherKind = 'env-proxy';
			this.#dispatcher = new EnvHttpProxyAgent(agentOptions);
		} else {
			this.dispatcherKind = 'agent';
			this.#dispatcher = new Agent(agentOptions);
		}
	}

	static async fromContext(
		ctx: IExecuteFunctions | IPollFunctions | ILoadOptionsFunctions,
		options: ClientOptions = {},
	): Promise<NucleusClient> {
		const node = ctx.getNode();
		const credentials = await ctx.getCredentials<NucleusCredentials>(CREDENTIAL_NAME);
		// Only execute contexts expose the execution cancel signal (poll and load-options contexts do not).
		const withSignal = ctx as Partial<Pick<IExecuteFunctions, 'getExecutionCancelSignal'>>;
		const signal =
			options.signal ??
			(typeof withSignal.getExecutionCancelSignal === 'function'
				? withSignal.getExecutionCancelSignal()
				: undefined);
		return new NucleusClient(node, credentials, {
			...options,
			signal,
			logger: options.logger ?? ctx.logger,
		});
	}

	/** Calls `<baseUrl>/<route>` with the API key; parses JSON responses, returns text otherwise, undefined when empty. */
	async request<T = unknown>(
		method: HttpMethod,
		route: string,
		opts: RequestOptions = {},
	): Promise<T> {
		const url = buildUrl(this.baseUrl, route, opts.query);
		const label = route.replace(/^\/+/, '').split('?')[0];
		const { json, form } = opts;
		const prepareBody = async (): Promise<PreparedBody> => {
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
		const result = await this.#send({
			method,
			url,
			label,
			headers: {
				authorization: this.#authorization,
				'user-agent': this.#userAgent,
				accept: 'application/json',
			},
			prepareBody,
			retry: opts.retry ?? true,
			timeoutMs: opts.timeoutMs,
			itemIndex: opts.itemIndex,
			presigned: false,
			secrets: [],
			onRetry: opts.onRetry,
			beforeRetry: opts.beforeRetry,
		});
		return parseBody(result.text, result.contentType) as T;
	}

	/**
	 * PUT to an absolute presigned URL (S3/GCS signed upload). No Authorization header: the storage service rejects
	 * requests that carry a second auth mechanism. No Content-Type either (the SDK sends none). Retried like other
	 * calls, with the body factory called again for each attempt.
	 */
	async putPresigned(
		url: string,
		body: () => Readable | Buffer | string,
		opts: PresignedPutOptions = {},
	): Promise<void> {
		if (!isHttpUrl(url)) {
			throw new NodeOperationError(
				this.#node,
				'Nucleus returned an upload URL that is not an http(s) URL',
				{
					itemIndex: opts.itemIndex,
				},
			);
		}
		const prepareBody = (): PreparedBody => {
			const value = body();
			const headers: Record<string, string> = {};
			if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
				if (opts.contentLength !== undefined)
					headers['content-length'] = String(opts.contentLength);
				return { body: value, headers, streams: [value] };
			}
			return { body: value, headers, streams: [] };
		};
		await this.#send({
			method: 'PUT',
			url,
			label: redactUrl(url),
			headers: {},
			prepareBody,
			retry: true,
			timeoutMs: opts.timeoutMs,
			itemIndex: opts.itemIndex,
			presigned: true,
			secrets: presignedSecrets(url),
		});
	}

	/** Closes the keep-alive pool (idempotent). */
	async close(): Promise<void> {
		if (this.#closed) return;
		this.#closed = true;
		this.#unlinkSignal?.();
		this.#unlinkSignal = undefined;
		await this.#dispatcher.close();
	}

	#scrub(text: string, extra: string[] = []): string {
		let out = scrubSecrets(text, this.#apiKey);
		for (const secret of extra) out = out.split(secret).join('[redacted]');
		return out;
	}

	#throwIfAborted(): void {
		if (this.#signal?.aborted) throw makeAbortError();
	}

	/** Backoff sleep that ends early (rejecting with an AbortError) when the cancel signal fires. */
	async #pause(ms: number): Promise<void> {
		await abortableSleep(ms, this.#signal);
	}

	#backoffMs(attempt: number, retryAfterHeader: string | undefined): number {
		const retryAfter = parseRetryAfter(retryAfterHeader);
		if (retryAfter !== undefined) return Math.min(this.#retryAfterMaxMs, retryAfter);
		const exponential = Math.min(this.#retryMaxDelayMs, this.#retryBaseMs * 2 ** (attempt - 1));
		return Math.round(exponential * (0.5 + Math.random()));
	}

	/**
	 * One request with retries. Every method is retried, POST included: an append is safe to retry because items
	 * are keyed by reference_id — a repeated append with update=false is ignored for the reference_ids already
	 * present, and with update=true it rewrites the same content. Callers that must not repeat a call pass retry=false.
	 */
	async #send(spec: SendSpec): Promise<HttpResult> {
		const maxAttempts = spec.retry ? this.#maxAttempts : 1;
		const headersTimeout = spec.timeoutMs ?? this.#headersTimeoutMs;
		const bodyTimeout = spec.timeoutMs ?? this.#bodyTimeoutMs;
		const method = spec.method;
		const label = this.#scrub(spec.label);

		for (let attempt = 1; ; attempt++) {
			this.#throwIfAborted();
			let prepared: PreparedBody;
			try {
				prepared = await spec.prepareBody();
			} catch (error) {
				throw this.#bodyError(spec, error);
			}
			let status: number | undefined;
			let failure: HttpResult;
			try {
				this.stats.requests++;
				const response = await undiciRequest(spec.url, {
					method,
					headers: { ...spec.headers, ...prepared.headers },
					body: prepared.body,
					dispatcher: this.#dispatcher,
					signal: this.#signal,
					headersTimeout,
					bodyTimeout,
				});
				status = response.statusCode;
				this.#logger?.debug('Nucleus request', { method, route: label, status, attempt });

				const retryable = isRetryableStatus(status) && attempt < maxAttempts;
				if (retryable) {
					// Drain the body so the keep-alive socket goes back to the pool.
					await response.body.dump().catch(() => undefined);
					const delay = this.#backoffMs(attempt, headerValue(response.headers['retry-after']));
					this.stats.retries++;
					this.#logger?.debug('Nucleus request retry', {
						method,
						route: label,
						status,
						attempt,
						delayMs: delay,
					});
					spec.onRetry?.({ status, attempt, delayMs: delay });
					await this.#pause(delay);
					await spec.beforeRetry?.();
					continue;
				}

				const text = await response.body.text();
				const contentType = headerValue(response.headers['content-type']) ?? '';
				if (status >= 200 && status < 300) return { status, contentType, text };
				failure = { status, contentType, text };
			} catch (error) {
				// Cancelled: never retried, surfaced at once as an AbortError.
				if (this.#signal?.aborted) throw makeAbortError();
				// A local file or stream behind the body failed (e.g. ENOENT): not a network problem, not retried.
				if (isLocalBodyError(error)) throw this.#bodyError(spec, error);
				const code = errorCode(error);
				this.#logger?.debug('Nucleus request', {
					method,
					route: label,
					status,
					attempt,
					error: code ?? 'error',
				});
				if (isRetryableError(error) && attempt < maxAttempts) {
					const delay = this.#backoffMs(attempt, undefined);
					this.stats.retries++;
					this.#logger?.debug('Nucleus request retry', {
						method,
						route: label,
						error: code ?? 'error',
						attempt,
						delayMs: delay,
					});
					spec.onRetry?.({ status: undefined, attempt, delayMs: delay });
					await this.#pause(delay);
					await spec.beforeRetry?.();
					continue;
				}
				throw this.#networkError(spec, error, code, attempt);
			} finally {
				destroyQuietly(prepared.streams);
			}
			throw this.#httpError(spec, failure.status, failure.text, failure.contentType, attempt);
		}
	}

	#httpError(
		spec: SendSpec,
		status: number,
		text: string,
		contentType: string,
		attempts: number,
	): NodeApiError {
		const method = spec.method;
		const label = this.#scrub(spec.label);
		const apiMessage = truncate(this.#scrub(extractApiMessage(text, contentType), spec.secrets));
		const what = spec.presigned
			? `Upload to ${label} failed`
			: `Nucleus API error ${status} (${method} ${label})`;
		const message = spec.presigned
			? `${what} with HTTP ${status}${apiMessage ? `: ${apiMessage}` : ''}`
			: `${what}${apiMessage ? `: ${apiMessage}` : ''}`;
		let description = hintForStatus(status, spec.presigned);
		if (attempts > 1) description += ` Gave up after ${attempts} attempts.`;
		const errorResponse: JsonObject = {
			status,
			method,
			route: label,
			body: truncate(this.#scrub(text, spec.secrets), 1000),
		};
		return this.#apiError(errorResponse, message, description, String(status), spec.itemIndex);
	}

	#networkError(
		spec: SendSpec,
		error: unknown,
		code: string | undefined,
		attempts: number,
	): NodeApiError {
		let host = '';
		try {
			host = new URL(spec.url).host;
		} catch {
			host = 'the server';
		}
		const rawMessage = error instanceof Error ? error.message : String(error);
		const reason = code ?? truncate(this.#scrub(rawMessage, spec.secrets), 120);
		const target = spec.presigned ? `the upload host ${host}` : `Nucleus at ${host}`;
		const message = spec.presigned
			? `Could not reach ${target} (${reason}): ${describeNetworkError(code)}`
			: `Could not reach ${target} (${reason}): ${describeNetworkError(code)}; the Base URL in the credential may be wrong or the service may be down`;
		let description = spec.presigned
			? 'The upload to the presigned URL did not complete; check the network and proxy settings of the n8n host.'
			: `Check the Base URL in the Scale Nucleus API credential (currently ${this.#scrub(redactUrl(this.baseUrl))}) and the network or proxy settings of the n8n host.`;
		if (attempts > 1) description += ` Gave up after ${attempts} attempts.`;
		const errorResponse: JsonObject = {
			code: code ?? null,
			host,
			method: spec.method,
			route: this.#scrub(spec.label),
			detail: truncate(this.#scrub(rawMessage, spec.secrets), MAX_MESSAGE_CHARS),
		};
		return this.#apiError(errorResponse, message, description, undefined, spec.itemIndex);
	}

	#bodyError(spec: SendSpec, error: unknown): NodeOperationError {
		const code = errorCode(error);
		const raw = error instanceof Error ? error.message : String(error);
		const detail = truncate(this.#scrub(raw, spec.secrets));
		const target = spec.presigned ? 'the upload' : `${spec.method} ${this.#scrub(spec.label)}`;
		const message = `Could not read the request body for ${target}${code ? ` (${code})` : ''}: ${detail}`;
		const result = new NodeOperationError(this.#node, message, {
			description: 'Check that the files or binary data being sent exist and are readable.',
			itemIndex: spec.itemIndex,
		});
		// NodeOperationError swaps messages that mention OS error codes (e.g. ENOENT) for generic texts; keep ours.
		result.message = message;
		return result;
	}

	#apiError(
		errorResponse: JsonObject,
		message: string,
		description: string,
		httpCode: string | undefined,
		itemIndex: number | undefined,
	): NodeApiError {
		const error = new NodeApiError(this.#node, errorResponse, {
			message,
			description,
			httpCode,
			itemIndex,
		});
		// NodeApiError swaps messages that mention OS error codes (e.g. ECONNREFUSED) for generic texts; keep ours.
		error.message = message;
		error.description = description;
		error.messages = [];
		return error;
	}
}
