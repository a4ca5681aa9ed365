/**
 * HTTP transport for the Scale Nucleus API:
 *  - client.ts       NucleusClient: the public API; builds each request's description and runs it
 *  - options.ts      what callers set per client, per request and per presigned upload
 *  - retryPolicy.ts  what is sent again after which failure, per kind of request; attempts and time bounds
 *  - retryLoop.ts    where a retry is decided: the loop over attempts, the waits, the give-up note
 *  - attempt.ts      one attempt on the wire: the body, the undici request, stream clean-up
 *  - connection.ts   the undici keep-alive pool (or EnvHttpProxyAgent) and the cancel-signal link
 *  - lookFirst.ts    how Dataset → Create and the presigned append check whether an ambiguous attempt was done,
 *                    taking only what is provably theirs
 *  - requestLook.ts  which look-first a request gets, and how the loop calls it
 *  - errors.ts       NodeApiError / NodeOperationError building, hints per status
 *  - failureCause.ts the cause a failed request declares to n8n (NodeApiError's `failure`)
 *  - redact.ts       scrubbing of the API key, Authorization values, URL user info, presigned tokens
 *  - util.ts         URL building, path encoding, cancellation, request-body helpers
 */
export type { NucleusCredentials } from '../api/types';
export {
	CREDENTIAL_NAME,
	NucleusClient,
	type ClientOptions,
	type PresignedPutOptions,
	type RequestOptions,
	type RetryInfo,
} from './client';
export {
	DEFAULT_MAX_ATTEMPTS,
	DEFAULT_REQUEST_TIMEOUT_MS,
	MAX_ATTEMPTS_LIMIT,
	RETRY_POLICY,
	isRetryableStatus,
	parseRetryAfter,
	type RequestKind,
} from './retryPolicy';
export {
	redactDeep,
	redactError,
	redactText,
	redactUrl,
	scrubSecrets,
	stripUrlUserinfo,
} from './redact';
export { abortableSleep, buildUrl, encodePathSegment, isAbortError, makeAbortError } from './util';
