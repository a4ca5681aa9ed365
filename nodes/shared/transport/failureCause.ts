/**
 * Why a request failed, declared the n8n 2.41 way: NodeApiError's `failure` option (n8n-workflow
 * `errors/failure.ts`, n8n PR 36531). n8n's poll back-off reads it for the trigger: a timed cause
 * waits (at least the `retryAfterMs` given), an actionable one backs off until someone acts.
 * Without it, n8n guesses from the HTTP status alone (a 429 without its wait, a 404 as transient).
 */
import type { Failure as DeclaredFailure } from 'n8n-workflow';

import type { Failure } from './retryPolicy';

/**
 * The cause of a failed request, from its last failure:
 * - 429: `rate-limited`, with the wait Nucleus asked for (Retry-After);
 * - 5xx, and a connection that failed (refused, dropped, timed out): `temporarily-unavailable`;
 * - 401 from Nucleus: `credential-invalid` (the API key is refused);
 * - 404 from Nucleus: `configuration-invalid` (the dataset, job or route the node points at no
 *   longer exists);
 * - anything else, and any answer of the storage service behind a presigned URL (its 401/403/404
 *   say nothing about the credential or the node's settings): undeclared.
 */
export function declaredFailure(failure: Failure, presigned: boolean): DeclaredFailure | undefined {
	const { status } = failure;
	const wait = failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {};
	if (status === undefined) {
		return failure.class !== undefined ? { cause: 'temporarily-unavailable' } : undefined;
	}
	if (status === 429) return { cause: 'rate-limited', ...wait };
	if (status >= 500) return { cause: 'temporarily-unavailable', ...wait };
	if (presigned) return undefined;
	if (status === 401) return { cause: 'credential-invalid' };
	if (status === 404) return { cause: 'configuration-invalid' };
	return undefined;
}
