/**
 * THE retry policy of the transport, in one place: per kind of request, what may be sent again after
 * which failure, and the bounds (attempts, time) of every request. ./retryLoop.ts applies it; this
 * file only holds the decisions as data and the pure functions that classify a failed attempt.
 *
 * A failed attempt falls in one of two classes:
 *  - NOT PROCESSED: the server cannot have acted on it — a 429 (it refused the request: rate limited),
 *    or a connection that was never made (refused, connect timeout, DNS temporarily failing).
 *    Every kind of request is sent again.
 *  - AMBIGUOUS: the request (or part of it) reached the server and the answer is missing or says only
 *    that something between us and Nucleus failed — a dropped connection, 502, 503, 504, 520, 524, no
 *    answer within the request timeout, a stalled answer. The server may have done the work. Reads are
 *    sent again; what a request that creates something does next is the table below.
 * Anything else (400, 401, 403, 404, 409, 500, a host name that does not resolve, …) is final.
 *
 * 503 is ambiguous although it often means "not now": it is also what Nucleus answers when a request
 * ran too long, after it started the work (the Python SDK's advice on a 503 from a large read, in
 * `Dataset.items` and `paginate_generator`, github.com/scaleapi/nucleus-python-client).
 *
 * Repeating creates a second dataset or a second job where the first attempt was in fact processed, so
 * those kinds LOOK FIRST after an ambiguous failure (./lookFirst.ts), and take something as theirs
 * only on evidence no other writer could produce: the presigned append takes the job whose status
 * names this upload; Dataset → Create never adopts (the dataset list cannot tell whose a dataset
 * is): it creates again only when no dataset of that name exists.
 *
 * Bounds: at most `maxAttempts` attempts (default 5, the node's Max Attempts, 1–10); each waits at most
 * the request timeout for its answer (default 60 s: "All API calls in Nucleus have a 1 minute
 * time-out", Nucleus docs, Large Ingestion guide, so a later answer is not coming); and all attempts and the waits
 * between them start within one time budget per request (3 minutes, or three request timeouts when
 * longer). A Retry-After that ends after the budget fails the request at once, saying when to retry.
 */

/** What a request does on the server, as far as repeating it is concerned. Callers name it. */
export type RequestKind =
	/** GET, and POSTs that only read (`jobs/`, `itemsPage`). */
	| 'read'
	/** `DELETE dataset/{id}/refloc/{ref}`. */
	| 'deleteItem'
	/** PUT of the NDJSON to the presigned URL. */
	| 'presignedPut'
	/** Pre-2026 synchronous append (JSON `{items}` or multipart `item`) without `?async=1`. */
	| 'legacyAppend'
	/** `append?async=1` with a multipart batch of up to 10 images: one job per request. */
	| 'batchAppendJob'
	/** `append?async=1` with `{requestId, update}` after the presigned upload: one job per request. */
	| 'uploadAppendJob'
	/** `POST dataset/create`. */
	| 'createDataset'
	/** Any other write: the default for a method other than GET when the caller names no kind. */
	| 'write';

export type FailureClass = 'notProcessed' | 'ambiguous';

/** An HTTP answer as read off the wire (the whole body as text). */
export interface HttpAnswer {
	status: number;
	contentType: string;
	text: string;
}

/** One failed attempt, as the policy sees it. */
export interface Failure {
	/** undefined: final, not retried. */
	class: FailureClass | undefined;
	answer?: HttpAnswer;
	error?: unknown;
	retryAfterMs?: number;
	/** For logs and onRetry. */
	status?: number;
	code?: string;
}

export interface KindPolicy {
	/** After a failure that was not processed: always sent again (within the bounds). */
	notProcessed: 'repeat';
	/** After an ambiguous failure: send again, look whether it was done first, or stop. */
	ambiguous: 'repeat' | 'lookFirst' | 'stop';
	/** lookFirst only: when the look cannot tell (it failed, or it found several candidates). */
	inconclusive?: 'repeat' | 'stop';
	/** A 404 to an attempt that follows an ambiguous one means an earlier attempt did the work. */
	notFoundAfterAmbiguousIsDone?: boolean;
	/** Why: the harm of repeating against the harm of not repeating. */
	why: string;
}

export const RETRY_POLICY: Readonly<Record<RequestKind, KindPolicy>> = {
	read: {
		notProcessed: 'repeat',
		ambiguous: 'repeat',
		why: 'Reading twice changes nothing.',
	},
	deleteItem: {
		notProcessed: 'repeat',
		ambiguous: 'repeat',
		notFoundAfterAmbiguousIsDone: true,
		why:
			'Deleting an item by reference ID twice leaves the same dataset. When the first attempt did ' +
			'delete it, the repeat answers 404: the item is gone, which is what was asked.',
	},
	presignedPut: {
		notProcessed: 'repeat',
		ambiguous: 'repeat',
		why: 'The same bytes to the same object: the second PUT overwrites the first with itself.',
	},
	legacyAppend: {
		notProcessed: 'repeat',
		ambiguous: 'repeat',
		why:
			"Items are keyed by reference_id (the SDK's Dataset.append docstring): a repeat with update=false leaves the " +
			'items already stored, with update=true it writes the same content again. Counts in the ' +
			'answer then describe the repeat (the items show as ignored or updated).',
	},
	batchAppendJob: {
		notProcessed: 'repeat',
		ambiguous: 'repeat',
		why:
			'A repeat starts a second job for the same at most 10 images, which re-ingests them under ' +
			'the same reference IDs: no data is lost or duplicated, one extra job is listed. A look ' +
			'cannot tell this batch from the other batches of the run, which are in flight at the same ' +
			'time and each start a job of the same size, and taking another batch job for this one ' +
			'would report items as stored that never were. So the batch is sent again.',
	},
	uploadAppendJob: {
		notProcessed: 'repeat',
		ambiguous: 'lookFirst',
		inconclusive: 'repeat',
		why:
			'A repeat would start a second job over the same uploaded file. Look first: an append job ' +
			'of this dataset created since the request was sent whose status names this upload (its ' +
			'requestId or upload path) is the job of this request. When the look finds none, or cannot ' +
			'tell, the same requestId is sent again: a duplicate job only re-ingests the same items, ' +
			'while taking a job that is not ours (one of the same size, say) would lose them.',
	},
	createDataset: {
		notProcessed: 'repeat',
		ambiguous: 'lookFirst',
		inconclusive: 'stop',
		why:
			'A repeat would create a second dataset of that name. Look first: when no dataset of that ' +
			'name exists, the request was not applied: create again. When one exists, it may be ours ' +
			'or another writer’s, and the list (id, name, is_public) cannot tell: stop with an error ' +
			'naming it rather than report someone else’s dataset as created. An unreadable list stops too.',
	},
	write: {
		notProcessed: 'repeat',
		ambiguous: 'stop',
		why: 'Unknown effect: sent again only when it cannot have been processed.',
	},
};

/** Kinds that change something in Nucleus (a presigned PUT only fills a file no dataset reads yet). */
const WRITES: ReadonlySet<RequestKind> = new Set<RequestKind>([
	'deleteItem',
	'legacyAppend',
	'batchAppendJob',
	'uploadAppendJob',
	'createDataset',
	'write',
]);

/**
 * Whether a request that failed may still have been applied: a write of which an attempt lost its
 * answer (an ambiguous failure, this attempt or an earlier one). Its error must say so.
 */
export function mayHaveApplied(kind: RequestKind, ambiguousSeen: boolean): boolean {
	return ambiguousSeen && WRITES.has(kind);
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const MAX_ATTEMPTS_LIMIT = 10;
/** Nucleus docs (Large Ingestion guide): "All API calls in Nucleus have a 1 minute time-out". */
export const DEFAULT_REQUEST_TIMEOUT_S = 60;
export const DEFAULT_REQUEST_TIMEOUT_MS = DEFAULT_REQUEST_TIMEOUT_S * 1000;
const MIN_BUDGET_MS = 180_000;
const BUDGET_TIMEOUTS = 3;

/** The time within which a request's attempts and waits must start: 3 minutes, or 3 request timeouts. */
export function defaultBudgetMs(requestTimeoutMs: number): number {
	return Math.max(MIN_BUDGET_MS, BUDGET_TIMEOUTS * requestTimeoutMs);
}

/** The kind of a request whose caller named none: GET reads, anything else is a write of unknown effect. */
export function defaultKind(method: string): RequestKind {
	return method === 'GET' ? 'read' : 'write';
}

const RETRYABLE_STATUSES = new Set([429, 502, 503, 504, 520, 524]);

/** 429, 502, 503, 504, 520 and 524 are retried (the SDK retries 503/504/520/524; we add 429 and 502). */
export function isRetryableStatus(status: number): boolean {
	return RETRYABLE_STATUSES.has(status);
}

export function classifyStatus(status: number): FailureClass | undefined {
	if (status === 429) return 'notProcessed';
	return RETRYABLE_STATUSES.has(status) ? 'ambiguous' : undefined;
}

/** No connection was made: nothing of the request reached a server. */
const NOT_PROCESSED_CODES = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']);

/** The connection broke or went quiet after the request was (maybe partly) sent. */
const AMBIGUOUS_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'EPIPE',
	'UND_ERR_SOCKET',
	'UND_ERR_HEADERS_TIMEOUT',
	'UND_ERR_BODY_TIMEOUT',
]);

interface ErrorLike {
	code?: unknown;
	cause?: unknown;
	errors?: unknown;
}

/** The first error code found on the error, its cause chain or an AggregateError's first member. */
export function errorCode(error: unknown): string | undefined {
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

export function classifyError(error: unknown): FailureClass | undefined {
	const code = errorCode(error);
	if (code && NOT_PROCESSED_CODES.has(code)) return 'notProcessed';
	if (code && AMBIGUOUS_CODES.has(code)) return 'ambiguous';
	const message = error instanceof Error ? error.message : '';
	return /other side closed/i.test(message) ? 'ambiguous' : undefined;
}

/** Errors raised by a file or stream that feeds the body, rather than by the connection: never retried. */
export function isLocalBodyError(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	const e = error as { path?: unknown; syscall?: unknown; code?: unknown };
	if (typeof e.path === 'string') return true;
	// A socket read that fails (`read ECONNRESET`) is the connection, not a file: retry it.
	if (
		typeof e.code === 'string' &&
		(NOT_PROCESSED_CODES.has(e.code) || AMBIGUOUS_CODES.has(e.code))
	) {
		return false;
	}
	return (
		typeof e.syscall === 'string' &&
		['open', 'read', 'stat', 'fstat', 'scandir', 'lstat'].includes(e.syscall)
	);
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

/** A non-2xx answer as a failure: its class, and the Retry-After it carried (`retryAfter` header). */
export function statusFailure(
	answer: HttpAnswer,
	retryAfter: string | undefined,
	now = Date.now(),
): Failure {
	return {
		class: classifyStatus(answer.status),
		answer,
		status: answer.status,
		retryAfterMs: parseRetryAfter(retryAfter, now),
	};
}

/** An error of the connection (no answer) as a failure. */
export function networkFailure(error: unknown): Failure {
	return { class: classifyError(error), error, code: errorCode(error) };
}

/**
 * Backoff before attempt `attempt + 1`: min(maxMs, base * 2^(attempt-1)), times a jitter of 0.5..1.5
 * (`random` in [0, 1) picks it; tests pass their own).
 */
export function backoffMs(
	attempt: number,
	baseMs: number,
	maxMs: number,
	random: () => number = Math.random,
): number {
	const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
	return Math.round(exponential * (0.5 + random()));
}
