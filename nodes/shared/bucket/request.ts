/**
 * One ListObjectsV2 request (GET /?list-type=2, AWS S3 API reference "ListObjectsV2"), signed with
 * Signature Version 4 by the `aws4` library rather than by hand.
 */
import aws4 from 'aws4';

import { bucketAddress, type BucketCredentials } from './credentials';

/** S3 answers at most 1,000 keys per page (ListObjectsV2 MaxKeys). */
export const MAX_KEYS_PER_PAGE = 1000;

export interface ListParams {
	prefix: string;
	continuationToken?: string;
	/** Set to '/' to get the "folders" one level below the prefix as CommonPrefixes. */
	delimiter?: string;
	maxKeys?: number;
}

export interface ListRequest {
	url: string;
	headers: Record<string, string>;
}

/** RFC 3986 encoding, which S3 expects in a signed query (unreserved characters only left as they are). */
function encodeRfc3986(value: string): string {
	return encodeURIComponent(value).replace(
		/[!'()*]/g,
		(c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
	);
}

/** The headers of a signed GET of `path` (query included) on `host`: Host, X-Amz-*, Authorization. */
function signedHeaders(
	creds: BucketCredentials,
	host: string,
	path: string,
): Record<string, string> {
	const signed = aws4.sign(
		{ host, path, method: 'GET', service: 's3', region: creds.region, headers: {} },
		{
			accessKeyId: creds.accessKeyId,
			secretAccessKey: creds.secretAccessKey,
			sessionToken: creds.sessionToken,
		},
	);
	const headers: Record<string, string> = {};
	for (const [name, value] of Object.entries(signed.headers ?? {})) {
		if (value !== undefined) headers[name.toLowerCase()] = String(value);
	}
	return headers;
}

export function signedListRequest(
	creds: BucketCredentials,
	bucket: string,
	params: ListParams,
): ListRequest {
	const { origin, host, basePath } = bucketAddress(creds, bucket);
	const query: Array<[string, string]> = [
		['list-type', '2'],
		['max-keys', String(params.maxKeys ?? MAX_KEYS_PER_PAGE)],
		['prefix', params.prefix],
		// Without it S3 may answer keys with characters XML 1.0 cannot carry; with it every key is
		// percent-encoded in the answer (ListObjectsV2 EncodingType).
		['encoding-type', 'url'],
	];
	if (params.delimiter) query.push(['delimiter', params.delimiter]);
	if (params.continuationToken) query.push(['continuation-token', params.continuationToken]);
	const search = query.map(([k, v]) => `${k}=${encodeRfc3986(v)}`).join('&');
	const path = `${basePath || ''}/?${search}`;
	return { url: `${origin}${path}`, headers: signedHeaders(creds, host, path) };
}

/**
 * ListBuckets (GET / on the service endpoint), signed: the credential test. Its answer tells a
 * wrong key or secret (InvalidAccessKeyId, SignatureDoesNotMatch) from a key that may not list
 * every bucket (AccessDenied), which is fine for a key limited to one bucket.
 */
export function signedServiceRequest(creds: BucketCredentials): ListRequest {
	const endpoint = new URL(creds.endpoint || `https://s3.${creds.region}.amazonaws.com`);
	const path = `${endpoint.pathname.replace(/\/+$/, '')}/`;
	return {
		url: `${endpoint.protocol}//${endpoint.host}${path}`,
		headers: signedHeaders(creds, endpoint.host, path),
	};
}
