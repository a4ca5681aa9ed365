/**
 * Which look-first (./lookFirst.ts) a request gets, built from the request itself, and the guard
 * that lets ./retryLoop.ts call it: a listing that fails is not the request failing.
 */
import type { Logger } from 'n8n-workflow';

import { oneLine } from '../text';
import { createDatasetLook, uploadJobLook, type Look, type LookResult } from './lookFirst';
import type { RequestOptions } from './options';
import type { LoopLook } from './retryLoop';
import { RETRY_POLICY, type RequestKind } from './retryPolicy';
import { makeAbortError } from './util';

/** Longest wait for one look-first listing. */
const LOOK_TIMEOUT_MS = 15_000;

/** A request through the client the look belongs to. */
export type ClientRequest = (
	method: 'GET' | 'POST',
	route: string,
	opts: RequestOptions,
) => Promise<unknown>;

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

/** The path of an upload URL, query left out ('' when there is none or it is not a URL). */
function pathOf(url: string | undefined): string {
	if (!url) return '';
	try {
		return decodeURIComponent(new URL(url).pathname);
	} catch {
		return '';
	}
}

/** The look-first of a kind whose policy asks for one, built from the request it is about. */
export function lookForRequest(
	kind: RequestKind,
	route: string,
	opts: RequestOptions,
	requestTimeoutMs: number,
	request: ClientRequest,
): Look | undefined {
	if (RETRY_POLICY[kind].ambiguous !== 'lookFirst') return undefined;
	// A look is a helper, not the request: one attempt, a short timeout, so a listing that hangs
	// delays the request it is about by seconds, not by a whole retry budget.
	const read = async (method: 'GET' | 'POST', r: string, body?: unknown) =>
		await request(method, r, {
			kind: 'read',
			json: body,
			itemIndex: opts.itemIndex,
			retry: false,
			timeoutMs: Math.min(LOOK_TIMEOUT_MS, requestTimeoutMs),
		});
	const body = (opts.json ?? {}) as Record<string, unknown>;
	if (kind === 'createDataset' && typeof body.name === 'string') {
		return createDatasetLook(read, body.name);
	}
	const datasetId = datasetOfAppendRoute(route);
	if (kind === 'uploadAppendJob' && datasetId && typeof body.requestId === 'string') {
		return uploadJobLook(read, datasetId, {
			requestId: body.requestId,
			uploadPath: pathOf(opts.uploadUrl),
		});
	}
	return undefined;
}

export interface LoopLookContext {
	signal: AbortSignal | undefined;
	/** Removes secrets from a failed listing's message. */
	scrub: (text: string) => string;
	logger: Logger | undefined;
	/** What debug lines show for the request. */
	route: { method: string; route: string };
	/** Counts a look made after a failure (the client's stats). */
	onLook: () => void;
}

/**
 * Look-first as the loop needs it: a failed listing is `unknown`, and the policy's `inconclusive`
 * rule decides; only a cancel ends it.
 */
export function loopLook(look: Look, ctx: LoopLookContext): LoopLook {
	const { signal, route } = ctx;
	return {
		async after(firstSentAtMs) {
			ctx.onLook();
			let result: LookResult;
			try {
				result = await look.after(firstSentAtMs);
			} catch (error) {
				if (signal?.aborted) throw makeAbortError();
				const reason = error instanceof Error ? oneLine(ctx.scrub(error.message), 200) : '';
				result = { state: 'unknown', finding: `the check failed (${reason})` };
			}
			ctx.logger?.debug('Nucleus look-first', { ...route, found: result.state });
			return result;
		},
	};
}
