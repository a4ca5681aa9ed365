/**
 * The GET of one listing page, on undici (the package's HTTP client). No redirect is followed, so
 * the signed headers never go to another host. What reaches errors: the bucket, the status and
 * S3's own error code and message; never the signed headers.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';
import { request } from 'undici';

import { abortableSleep, isAbortError, makeAbortError } from '../transport';
import type { BucketCredentials } from './credentials';
import { parseListPage, type ListPage } from './listPage';
import { signedListRequest, type ListParams } from './request';

type Attempt =
	| { ok: true; page: ListPage }
	| { ok: false; message: string; status?: number; transient: boolean };

const ATTEMPTS = 4;
const DEFAULT_TIMEOUT_MS = 60_000;

/** S3's error body: `<Error><Code>…</Code><Message>…</Message></Error>`. */
function s3ErrorOf(body: string): { code?: string; message?: string } {
	const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
	const message = /<Message>([^<]{1,300})<\/Message>/.exec(body)?.[1];
	return { code, message };
}

async function attemptOnce(
	creds: BucketCredentials,
	bucket: string,
	params: ListParams,
	signal: AbortSignal | undefined,
	timeoutMs: number,
): Promise<Attempt> {
	const { url, headers } = signedListRequest(creds, bucket, params);
	let res;
	try {
		res = await request(url, {
			method: 'GET',
			headers,
			signal,
			headersTimeout: timeoutMs,
			bodyTimeout: timeoutMs,
		});
	} catch (error) {
		if (signal?.aborted || isAbortError(error)) throw makeAbortError();
		const code = (error as { code?: string }).code ?? (error as Error).message;
		return { ok: false, message: `Bucket ${bucket} could not be listed: ${code}`, transient: true };
	}
	const body = await res.body.text();
	if (res.statusCode !== 200) {
		const s3 = s3ErrorOf(body);
		return {
			ok: false,
			message: `Bucket ${bucket} refused the listing (HTTP ${res.statusCode}${s3.code ? ` ${s3.code}` : ''})${s3.message ? `: ${s3.message}` : ''}`,
			status: res.statusCode,
			transient: res.statusCode >= 500 || res.statusCode === 429 || s3.code === 'SlowDown',
		};
	}
	try {
		return { ok: true, page: parseListPage(body) };
	} catch (error) {
		return {
			ok: false,
			message: `Bucket ${bucket}: ${(error as Error).message}`,
			transient: false,
		};
	}
}

/**
 * One page, with up to 4 attempts for network failures, 5xx, 429 and SlowDown (backoff 0.5, 1,
 * 2 s); a NodeApiError naming the bucket and S3's answer when it cannot be had.
 */
export async function fetchListPage(
	node: INode,
	creds: BucketCredentials,
	bucket: string,
	params: ListParams,
	options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<ListPage> {
	let attempt: Attempt | undefined;
	for (let n = 1; n <= ATTEMPTS; n++) {
		if (n > 1) await abortableSleep(500 * 2 ** (n - 2), options.signal);
		attempt = await attemptOnce(
			creds,
			bucket,
			params,
			options.signal,
			options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
		);
		if (attempt.ok) return attempt.page;
		if (!attempt.transient) break;
	}
	const failed = attempt as Extract<Attempt, { ok: false }>;
	throw new NodeApiError(node, { message: failed.message } as JsonObject, {
		message: failed.message,
		httpCode: failed.status === undefined ? undefined : String(failed.status),
		description:
			failed.status === 403
				? 'Check the bucket credential: it needs s3:ListBucket on this bucket (and prefix).'
				: undefined,
	});
}
