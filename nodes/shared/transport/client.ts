/**
 * NucleusClient, the transport's public face: it holds the credential (the only module that sees
 * the API key: it builds the Basic-auth header, and every string that can reach an error or a log
 * line goes through the scrub of ./redact.ts first) and turns each call into a request description
 * that ./retryLoop.ts runs under ./retryPolicy.ts, one ./attempt.ts at a time, over the pool of
 * ./connection.ts. Turning the loop's ending into a result or an error is the last step here.
 */
import type { Readable } from 'node:stream';

import { NodeOperationError } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	ILoadOptionsFunctions,
	INode,
	IPollFunctions,
	Logger,
} from 'n8n-workflow';

import { DEFAULT_BASE_URL } from '../../../credentials/ScaleNucleusApi.credentials';
import { version as packageVersion } from '../../../package.json';
import type { NucleusCredentials } from '../api/types';
import { oneLine } from '../text';
import {
	apiCallBody,
	presignedBody,
	sendAttempt,
	type AttemptSpec,
	type HttpMethod,
} from './attempt';
import { openConnection, type Connection } from './connection';
import {
	bodyError,
	failureError,
	failureText,
	inconclusiveError,
	type ErrorContext,
	type ErrorTarget,
} from './errors';
import type { Look } from './lookFirst';
import type { ClientOptions, PresignedPutOptions, RequestOptions, RetryInfo } from './options';
import { presignedSecrets, redactRoute, redactUrl, removeStrings, scrubSecrets } from './redact';
import { loopLook, lookForRequest } from './requestLook';
import { runRetryLoop } from './retryLoop';
import {
	RETRY_POLICY,
	DEFAULT_MAX_ATTEMPTS,
	DEFAULT_REQUEST_TIMEOUT_MS,
	backoffMs,
	defaultBudgetMs,
	defaultKind,
	mayHaveApplied,
	type HttpAnswer,
	type RequestKind,
} from './retryPolicy';
import { abortableSleep, buildUrl, isHttpUrl, makeAbortError, parseBody } from './util';

export type { ClientOptions, PresignedPutOptions, RequestOptions, RetryInfo } from './options';

export const CREDENTIAL_NAME = 'scaleNucleusApi';

interface SendSpec extends AttemptSpec {
	/** What logs and errors show for the target: the route for API calls, the redacted URL for presigned ones. */
	label: string;
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

const DEFAULTS = {
	connections: 16,
	retryBaseMs: 500,
	retryMaxDelayMs: 20_000,
};

function hostOf(url: string): string {
	try {
		return new URL(url).host;
	} catch {
		return 'the server';
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

	readonly #connection: Connection;

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

		this.#logger = options.logger;
		this.#userAgent = options.userAgent ?? `n8n-nodes-scale-nucleus/${packageVersion}`;
		this.#maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS));
		this.#requestTimeoutMs = Math.max(1, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
		this.#totalBudgetMs = options.totalBudgetMs;
		this.#retryBaseMs = Math.max(0, options.retryBaseMs ?? DEFAULTS.retryBaseMs);
		this.#retryMaxDelayMs = Math.max(0, options.retryMaxDelayMs ?? DEFAULTS.retryMaxDelayMs);
		this.#connection = openConnection({
			connections: Math.max(1, Math.floor(options.connections ?? DEFAULTS.connections)),
			requestTimeoutMs: this.#requestTimeoutMs,
			signal: options.signal,
		});
		this.dispatcherKind = this.#connection.kind;
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
		const kind = opts.kind ?? defaultKind(method);
		const result = await this.#send({
			method,
			url: buildUrl(this.baseUrl, route, opts.query),
			label: route.replace(/^\/+/, '').split('?')[0],
			headers: {
				authorization: this.#authorization,
				'user-agent': this.#userAgent,
				accept: 'application/json',
			},
			prepareBody: apiCallBody(method, opts.json, opts.form),
			kind,
			retry: opts.retry ?? true,
			timeoutMs: opts.timeoutMs,
			itemIndex: opts.itemIndex,
			presigned: false,
			secrets: [],
			look: this.#lookFor(kind, route, opts),
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
		await this.#send({
			method: 'PUT',
			url,
			label: redactUrl(url),
			headers: {},
			prepareBody: presignedBody(body, opts.contentLength),
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
		await this.#connection.close();
	}

	/** The look-first of a kind whose policy asks for one, reading through this client. */
	#lookFor(kind: RequestKind, route: string, opts: RequestOptions): Look | undefined {
		return lookForRequest(
			kind,
			route,
			opts,
			this.#requestTimeoutMs,
			async (method, r, options) => await this.request(method, r, options),
		);
	}

	#errorContext(spec: SendSpec): ErrorContext {
		return {
			node: this.#node,
			scrub: (text) => scrubSecrets(removeStrings(text, spec.secrets), this.#apiKey),
			baseUrlShown: scrubSecrets(redactUrl(this.baseUrl), this.#apiKey),
		};
	}

	#target(spec: SendSpec, ctx: ErrorContext): ErrorTarget {
		return {
			method: spec.method,
			label: ctx.scrub(spec.presigned ? spec.label : redactRoute(spec.label)),
			host: hostOf(spec.url),
			presigned: spec.presigned,
			kind: spec.kind,
			itemIndex: spec.itemIndex,
		};
	}

	/** One request under the retry policy (./retryLoop.ts), and what its ending means for the caller. */
	async #send(spec: SendSpec): Promise<HttpAnswer> {
		const timeoutMs = spec.timeoutMs ?? this.#requestTimeoutMs;
		const ctx = this.#errorContext(spec);
		const target = this.#target(spec, ctx);
		const { signal, dispatcher } = this.#connection;
		if (signal?.aborted) throw makeAbortError();
		const attemptContext = {
			dispatcher,
			signal,
			timeoutMs,
			logger: this.#logger,
			route: target.label,
			onSend: () => this.stats.requests++,
			bodyError: (error: unknown) => bodyError(ctx, target, error),
		};
		const ended = await runRetryLoop({
			policy: RETRY_POLICY[spec.kind],
			maxAttempts: spec.retry ? this.#maxAttempts : 1,
			budgetMs: this.#totalBudgetMs ?? defaultBudgetMs(timeoutMs),
			backoff: (attempt) => backoffMs(attempt, this.#retryBaseMs, this.#retryMaxDelayMs),
			attempt: async (attempt) => await sendAttempt(spec, attemptContext, attempt),
			look:
				spec.look &&
				loopLook(spec.look, {
					signal,
					scrub: ctx.scrub,
					logger: this.#logger,
					route: { method: target.method, route: target.label },
					onLook: () => this.stats.looks++,
				}),
			clock: Date.now,
			sleep: async (ms) => await abortableSleep(ms, signal),
			log: ({ failure, attempt, delayMs }) => {
				this.stats.retries++;
				this.#logger?.debug('Nucleus request retry', {
					method: spec.method,
					route: target.label,
					...(failure.status !== undefined
						? { status: failure.status }
						: { error: failure.code ?? 'error' }),
					attempt,
					delayMs,
				});
				spec.onRetry?.({ status: failure.status, attempt, delayMs });
			},
			beforeRetry: spec.beforeRetry,
		});
		switch (ended.end) {
			case 'answer':
				return ended.answer;
			case 'adopted':
				return { status: 200, contentType: 'application/json', text: JSON.stringify(ended.answer) };
			case 'doneEarlier':
				return { status: 200, contentType: '', text: '' };
			case 'inconclusive':
				throw inconclusiveError(ctx, target, ended.finding, failureText(ended.failure));
			case 'gaveUp':
				throw failureError(ctx, target, ended.failure, timeoutMs, {
					note: ended.note,
					mayHaveApplied: mayHaveApplied(spec.kind, ended.ambiguousSeen),
				});
		}
	}
}
