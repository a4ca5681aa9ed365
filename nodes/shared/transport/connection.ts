/**
 * A client's connection set-up: one undici keep-alive pool (the EnvHttpProxyAgent when HTTP(S)_PROXY
 * is set, as n8n does), and an internal cancel signal linked to the execution's. Redirects are never
 * followed (undici's request does not), so the Authorization header never goes to another host.
 */
import { setMaxListeners } from 'node:events';

import { Agent, EnvHttpProxyAgent } from 'undici';
import type { Dispatcher } from 'undici';

export interface ConnectionOptions {
	/** Max sockets in the keep-alive pool. */
	connections: number;
	/** Longest wait for an answer's headers, and longest pause within its body. */
	requestTimeoutMs: number;
	/** The execution's cancel signal, if any. */
	signal?: AbortSignal;
}

export interface Connection {
	/** 'agent' or 'env-proxy' (EnvHttpProxyAgent, chosen when HTTP(S)_PROXY is set). */
	kind: 'agent' | 'env-proxy';
	dispatcher: Dispatcher;
	/** Aborts when the caller's signal does: undici and the backoff sleeps listen here, not on n8n's signal. */
	signal: AbortSignal | undefined;
	/** Unlinks the caller's signal and closes the pool. */
	close(): Promise<void>;
}

const PROXY_ENV_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];

function proxyConfiguredInEnvironment(): boolean {
	return PROXY_ENV_VARS.some((name) => Boolean(process.env[name]));
}

/** A signal that follows `external`, with no listener limit, and the function that unlinks it. */
function linkSignal(external: AbortSignal): { signal: AbortSignal; unlink: () => void } {
	const controller = new AbortController();
	// Every in-flight request and backoff sleep listens for the abort; concurrency 16+ is normal here.
	setMaxListeners(0, controller.signal);
	if (external.aborted) {
		controller.abort();
		return { signal: controller.signal, unlink: () => {} };
	}
	const onAbort = () => controller.abort();
	external.addEventListener('abort', onAbort, { once: true });
	return {
		signal: controller.signal,
		unlink: () => external.removeEventListener('abort', onAbort),
	};
}

export function openConnection(options: ConnectionOptions): Connection {
	const linked = options.signal ? linkSignal(options.signal) : undefined;
	const agentOptions = {
		connections: options.connections,
		keepAliveTimeout: 10_000,
		keepAliveMaxTimeout: 60_000,
		headersTimeout: options.requestTimeoutMs,
		bodyTimeout: options.requestTimeoutMs,
	};
	// Same rule as n8n itself: HTTP_PROXY/HTTPS_PROXY (and lower-case) from the environment, NO_PROXY honoured.
	const viaProxy = proxyConfiguredInEnvironment();
	const dispatcher = viaProxy ? new EnvHttpProxyAgent(agentOptions) : new Agent(agentOptions);
	let unlink = linked?.unlink;
	return {
		kind: viaProxy ? 'env-proxy' : 'agent',
		dispatcher,
		signal: linked?.signal,
		async close() {
			unlink?.();
			unlink = undefined;
			await dispatcher.close();
		},
	};
}
