/**
 * HTTP transport for the Scale Nucleus API:
 *  - client.ts       NucleusClient (undici keep-alive pool or EnvHttpProxyAgent) and its send loop
 *  - retryPolicy.ts  what is sent again after which failure, per kind of request; attempts and time bounds
 *  - lookFirst.ts    how Dataset → Create and the presigned append check whether an ambiguous attempt was done
 *  - errors.ts       NodeApiError / NodeOperationError building, hints per status
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
