/**
 * NucleusClient: HTTP to the Scale Nucleus API on undici (one keep-alive pool per client; the
 * EnvHttpProxyAgent when HTTP(S)_PROXY is set, as n8n does) and form-data (streamed multipart), and the
 * send loop that applies ./retryPolicy.ts.
 *
 * This is the only module that sees the API key: it builds the Basic-auth header, and every string
 * that can reach an error or a log line goes through the scrub of ./redact.ts first. Redirects are
 * never followed (undici's request does not), so the Authorization header never goes to another host.
 */
import { setMaxListeners } from 'node:events';
import type { Readable } from 'node:stream';

import type FormData from 'form-data';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
	Logger,
} from 'n8n-workflow';
import { Agent, EnvHttpProxyAgent, request as undiciRequest } from 'undici';
import type { Dispatcher } from 'undici';

import { DEFAULT_BASE_URL } from '../../../credentials/ScaleNucleusApi.credentials';
import { version as packageVersion } from '../../../package.json';
import type { NucleusCredentials } from '../api/types';
import { oneLine } from '../text';
import {
	bodyError,
	formatSeconds,
	formatTime,
	httpError,
	inconclusiveError,
	networkError,
	type ErrorContext,
	type ErrorTarget,
} from './errors';
import { createDatasetLook, uploadJobLook, type Look, type LookResult } from './lookFirst';
import {
	RETRY_POLICY,
	DEFAULT_MAX_ATTEMPTS,
	DEFAULT_REQUEST_TIMEOUT_MS,
	backoffMs,
	classifyError,
	classifyStatus,
	defaultBudgetMs,
	defaultKind,
	errorCode,
	isLocalBodyError,
	parseRetryAfter,
	type FailureClass,
	type RequestKind,
} from './retryPolicy';
import { presignedSecrets, redactRoute, redactUrl, removeStrings, scrubSecrets } from './redact';
import {
	buildUrl,
	destroyQuietly,
	getStreamsOfForm,
	headerValue,
	isHttpUrl,
	makeAbortError,
	abortableSleep,
	parseBody,
} from './util';

export const CREDENTIAL_NAME = 'scaleNucleusApi';

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
	/** kind 'uploadAppendJob': items in the uploaded file, so look-first can recognise its job. */
	itemCount?: number;
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
	/** What logs and errors show for the target: the route for API calls, the redacted URL for presigned ones. */
	label: string;
	headers: Record<string, string>;
	prepareBody: () => PreparedBody | Promise<PreparedBody>;
	kind: RequestKind;
	retry: boolean;
	timeoutMs?: number;
	itemIndex?: number;
	presigned: boolean;
	/** Extra strings to remove from errors (the signature parts of a presigned URL). */
	secrets: string[];
	look?: Look;
	onRetry?: (info: RetryInfo) => void;
	beforeRetry?: () => Promise<void>;
}

interface HttpResult {
	status: number;
	contentType: string;
	text: string;
}

/** Longest wait for one look-first listing (see #lookFor). */
const LOOK_TIMEOUT_MS = 15_000;

/** One failed attempt, as the policy sees it. */
interface Failure {
	/** undefined: final, not retried. */
	class: FailureClass | undefined;
	answer?: HttpResult;
	error?: unknown;
	retryAfterMs?: number;
	/** For logs and onRetry. */
	status?: number;
	code?: string;
}

const DEFAULTS = {
	connections: 16,
	retryBaseMs: 500,
	retryMaxDelayMs: 20_000,
};

const PROXY_ENV_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];

function proxyConfiguredInEnvironment(): boolean {
	return PROXY_ENV_VARS.some((name) => Boolean(process.env[name]));
}

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'the server';
	}
}

function failureText(failure: Failure): string {
	return failure.status !== undefined
		? `HTTP ${failure.status}`
		: (failure.code ?? 'network error');
}

/** The dataset ID of a `dataset/{id}/append` route (decoded), for look-first. */
function datasetOfAppendRoute(route: string): string | undefined {
	const m = /^\/*dataset\/([^/?]+)\/append(?:[/?]|$)/.exec(route);
	if (!m) return undefined;
	try {
		return decodeURIComponent(m[1]);
	} catch {
		return m[1];
	}
}

export class NucleusClient {
	/**
	 * requests: attempts sent; retries: failed attempts after which the request went on (to another
	 * attempt, or to a look that found it done); looks: look-first checks made after a failure.
	 */
	readonly stats = { requests: 0, retries: 0, looks: 0 };

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

	readonly #requestTimeoutMs: number;

	readonly #totalBudgetMs: number | undefined;

	readonly #retryBaseMs: number;

	readonly #retryMaxDelayMs: number;

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
				`The Base URL in the Scale Nucleus API credential is not an http(s) URL: "${oneLine(scrubSecrets(redactUrl(rawBase), apiKey), 100)}"`,
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
		this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
		this.#requestTimeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
		this.#totalBudgetMs = options.totalBudgetMs;
		this.#retryBaseMs = Math.max(0, options.retryBaseMs ?? DEFAULTS.retryBaseMs);
		this.#retryMaxDelayMs = Math.max(0, options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs);

		const agentOptions = {
			connections: Math.max(1, Math.floor(options.connections ?? DEFAULTS.connections)),
			keepAliveTimeout: 10_000,
			keepAliveMaxTimeout: 60_000,
			headersTimeout: this.#requestTimeoutMs,
			bodyTimeout: this.#requestTimeoutMs,
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
		const kind = opts.kind ?? defaultKind(method);
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
			kind,
			retry: opts.retry ?? true,
			timeoutMs: opts.timeoutMs,
			itemIndex: opts.itemIndex,
			presigned: false,
			secrets: [],
			look: this.#lookFor(kind, route, json, opts),
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
			kind: 'presignedPut',
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

	/** The look-first of a kind whose policy asks for one, built from the request it is about. */
	#lookFor(
		kind: RequestKind,
		route: string,
		json: unknown,
		opts: RequestOptions,
	): Look | undefined {
		if (RETRY_POLICY[kind].ambiguous !== 'lookFirst') return undefined;
		// A look is a helper, not the request: one attempt, a short timeout, so a listing that hangs
		// delays the request it is about by seconds, not by a whole retry budget.
		const read = async (method: 'GET' | 'POST', r: string, body?: unknown) =>
			await this.request(method, r, {
				kind: 'read',
				json: body,
				itemIndex: opts.itemIndex,
				retry: false,
				timeoutMs: Math.min(LOOK_TIMEOUT_MS, this.#requestTimeoutMs),
			});
		const body = (json ?? {}) as Record<string, unknown>;
		if (kind === 'createDataset' && typeof body.name === 'string') {
			return createDatasetLook(read, body.name);
		}
		const datasetId = datasetOfAppendRoute(route);
		if (kind === 'uploadAppendJob' && datasetId && typeof body.requestId === 'string') {
			return uploadJobLook(read, datasetId, body.requestId, opts.itemCount);
		}
		return undefined;
	}

	#scrubber(spec: SendSpec): (text: string) => string {
		return (text) => scrubSecrets(removeStrings(text, spec.secrets), this.#apiKey);
	}

	#errorContext(spec: SendSpec): ErrorContext {
		return {
			node: this.#node,
			scrub: this.#scrubber(spec),
			baseUrlShown: scrubSecrets(redactUrl(this.baseUrl), this.#apiKey),
		};
	}

	#target(spec: SendSpec): ErrorTarget {
		const label = this.#scrubber(spec)(spec.presigned ? spec.label : redactRoute(spec.label));
		return {
			method: spec.method,
			label,
			host: hostOf(spec.url),
			presigned: spec.presigned,
			itemIndex: spec.itemIndex,
		};
	}

	#throwIfAborted(): void {
		if (this.#signal?.aborted) throw makeAbortError();
	}

	/** One attempt: its success, or the failure the policy decides on. Throws only on cancel and unreadable bodies. */
	async #attempt(
		spec: SendSpec,
		target: ErrorTarget,
		attempt: number,
		timeoutMs: number,
	): Promise<{ ok: HttpResult } | { failure: Failure }> {
		const ctx = this.#errorContext(spec);
		let prepared: PreparedBody;
		try {
			prepared = await spec.prepareBody();
		} catch (error) {
			throw bodyError(ctx, target, error);
		}
		const log = { method: spec.method, route: target.label };
		try {
			this.stats.requests++;
			const response = await undiciRequest(spec.url, {
				method: spec.method,
				headers: { ...spec.headers, ...prepared.headers },
				body: prepared.body,
				dispatcher: this.#dispatcher,
				signal: this.#signal,
				headersTimeout: timeoutMs,
				bodyTimeout: timeoutMs,
			});
			const status = response.statusCode;
			this.#logger?.debug('Nucleus request', { ...log, status, attempt });
			// Reading the whole body also returns the keep-alive socket to the pool.
			const text = await response.body.text();
			const contentType = headerValue(response.headers['content-type']) ?? '';
			const answer = { status, contentType, text };
			if (status >= 200 && status < 300) return { ok: answer };
			return {
				failure: {
					class: classifyStatus(status),
					answer,
					status,
					retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
				},
			};
		} catch (error) {
			// Cancelled: never retried, surfaced at once as an AbortError.
			if (this.#signal?.aborted) throw makeAbortError();
			// A local file or stream behind the body failed (e.g. ENOENT): not a network problem, not retried.
			if (isLocalBodyError(error)) throw bodyError(ctx, target, error);
			const code = errorCode(error);
			this.#logger?.debug('Nucleus request', { ...log, attempt, error: code ?? 'error' });
			return { failure: { class: classifyError(error), error, code } };
		} finally {
			destroyQuietly(prepared.streams);
		}
	}

	/** The error that ends the request with `failure`; `note` says what the policy did. */
	#finalError(
		spec: SendSpec,
		target: ErrorTarget,
		failure: Failure,
		timeoutMs: number,
		note: string,
	): Error {
		const ctx = this.#errorContext(spec);
		if (failure.answer) {
			const suffix =
				failure.retryAfterMs !== undefined
					? `; Nucleus asks to retry after ${formatTime(Date.now() + failure.retryAfterMs)} (in ${formatSeconds(failure.retryAfterMs)})`
					: '';
			return httpError(ctx, target, failure.answer, note, suffix);
		}
		return networkError(ctx, target, failure.error, timeoutMs, note);
	}

	async #look(spec: SendSpec, target: ErrorTarget, look: Look): Promise<LookResult> {
		this.stats.looks++;
		let result: LookResult;
		try {
			result = await look.after();
		} catch (error) {
			if (this.#signal?.aborted) throw makeAbortError();
			const reason =
				error instanceof Error ? oneLine(this.#scrubber(spec)(error.message), 200) : '';
			result = { state: 'unknown', finding: `the check failed (${reason})` };
		}
		this.#logger?.debug('Nucleus look-first', {
			method: spec.method,
			route: target.label,
			found: result.state,
		});
		return result;
	}

	/** One request under the retry policy (./retryPolicy.ts): attempts, backoff, time budget, look-first. */
	async #send(spec: SendSpec): Promise<HttpResult> {
		const policy = RETRY_POLICY[spec.kind];
		const maxAttempts = spec.retry ? this.#maxAttempts : 1;
		const timeoutMs = spec.timeoutMs ?? this.#requestTimeoutMs;
		const budgetMs = this.#totalBudgetMs ?? defaultBudgetMs(timeoutMs);
		const target = this.#target(spec);
		const look = spec.look;
		let ambiguousSeen = false;

		this.#throwIfAborted();
		if (look) {
			try {
				await look.before();
			} catch (error) {
				// The request itself may still work; without a snapshot a later look cannot tell.
				if (this.#signal?.aborted) throw makeAbortError();
				this.#logger?.debug('Nucleus look-first snapshot failed', {
					method: spec.method,
					route: target.label,
					error: errorCode(error) ?? (error instanceof NodeApiError ? error.httpCode : 'error'),
				});
			}
		}
		const started = Date.now();
		let deadline = started + budgetMs;

		for (let attempt = 1; ; attempt++) {
			this.#throwIfAborted();
			const outcome = await this.#attempt(spec, target, attempt, timeoutMs);
			if ('ok' in outcome) return outcome.ok;
			const failure = outcome.failure;

			if (failure.status === 404 && ambiguousSeen && policy.notFoundAfterAmbiguousIsDone === true) {
				// An earlier attempt that lost its answer did the work (see the policy's `why`).
				return { status: 200, contentType: '', text: '' };
			}
			const attemptsNote = attempt > 1 ? `Gave up after ${attempt} attempts.` : '';
			if (failure.class === undefined) {
				throw this.#finalError(spec, target, failure, timeoutMs, attemptsNote);
			}
			const action = failure.class === 'notProcessed' ? 'repeat' : policy.ambiguous;
			if (failure.class === 'ambiguous') ambiguousSeen = true;
			if (action === 'stop') {
				throw this.#finalError(
					spec,
					target,
					failure,
					timeoutMs,
					`${attemptsNote ? `${attemptsNote} ` : ''}Not sent again: the request may have reached Nucleus, and sending it a second time could do it twice. Check the result in Nucleus before running the node again.`,
				);
			}

			const remaining = deadline - Date.now();
			const delay =
				failure.retryAfterMs ?? backoffMs(attempt, this.#retryBaseMs, this.#retryMaxDelayMs);
			const lastAttempt = attempt >= maxAttempts;
			if (lastAttempt || delay >= remaining) {
				// No attempt left: after an ambiguous attempt (this one or an earlier one) a look can
				// still find that the request was done.
				if (policy.ambiguous === 'lookFirst' && ambiguousSeen && look) {
					const found = await this.#look(spec, target, look);
					if (found.state === 'done') return this.#asAnswer(found.answer);
					if (found.state === 'unknown' && policy.inconclusive === 'stop') {
						throw inconclusiveError(
							this.#errorContext(spec),
							target,
							found.finding,
							failureText(failure),
						);
					}
				}
				let note = attemptsNote;
				if (!lastAttempt) {
					note =
						failure.retryAfterMs !== undefined
							? `Nucleus asked to wait ${formatSeconds(delay)}, more than the ${formatSeconds(Math.max(0, remaining))} left of the ${formatSeconds(budgetMs)} this request may take, so the node did not wait. Run it again after the time in the message.`
							: `Gave up after ${attempt} attempt(s) in ${formatSeconds(Date.now() - started)}: the next one would start after the ${formatSeconds(budgetMs)} this request may take.`;
				}
				throw this.#finalError(spec, target, failure, timeoutMs, note);
			}

			this.stats.retries++;
			this.#logger?.debug('Nucleus request retry', {
				method: spec.method,
				route: target.label,
				...(failure.status !== undefined
					? { status: failure.status }
					: { error: failure.code ?? 'error' }),
				attempt,
				delayMs: delay,
			});
			spec.onRetry?.({ status: failure.status, attempt, delayMs: delay });
			await abortableSleep(delay, this.#signal);
			const waitStart = Date.now();
			await spec.beforeRetry?.();
			deadline += Date.now() - waitStart;

			if (action === 'lookFirst' && look) {
				const found = await this.#look(spec, target, look);
				if (found.state === 'done') return this.#asAnswer(found.answer);
				if (found.state === 'unknown' && policy.inconclusive === 'stop') {
					throw inconclusiveError(
						this.#errorContext(spec),
						target,
						found.finding,
						failureText(failure),
					);
				}
			}
		}
	}

	#asAnswer(value: unknown): HttpResult {
		return { status: 200, contentType: 'application/json', text: JSON.stringify(value) };
	}
}
