import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { OperationalError } from 'n8n-workflow';

export const BUCKET_CREDENTIAL_NAME = 'scaleNucleusBucketApi';

export interface BucketCredentials {
	region: string;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** Without a trailing slash; empty for AWS S3 (https://s3.<region>.amazonaws.com). */
	endpoint: string;
	forcePathStyle: boolean;
}

/** The credential's fields, trimmed; throws a plain Error naming the field that is wrong. */
export function bucketCredentials(raw: ICredentialDataDecryptedObject): BucketCredentials {
	const text = (name: string): string =>
		typeof raw[name] === 'string' ? (raw[name] as string).trim() : '';
	const region = text('region') || 'us-east-1';
	const accessKeyId = text('accessKeyId');
	const secretAccessKey = text('secretAccessKey');
	if (!accessKeyId || !secretAccessKey) {
		throw new OperationalError(
			'The bucket credential needs an Access Key ID and a Secret Access Key',
		);
	}
	const endpoint = text('endpoint').replace(/\/+$/, '');
	if (endpoint) {
		if (!URL.canParse(endpoint)) {
			throw new OperationalError(
				"The bucket credential's Endpoint is not a URL (example: https://storage.googleapis.com)",
			);
		}
		const url = new URL(endpoint);
		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new OperationalError(
				"The bucket credential's Endpoint must start with http:// or https://",
			);
		}
		if (url.username || url.password || url.search) {
			throw new OperationalError(
				"The bucket credential's Endpoint must be a bare address, without user, password or query",
			);
		}
	}
	const sessionToken = text('sessionToken');
	return {
		region,
		accessKeyId,
		secretAccessKey,
		...(sessionToken ? { sessionToken } : {}),
		endpoint,
		forcePathStyle: raw.forcePathStyle === true,
	};
}

/** Origin and path prefix of a bucket: virtual-hosted (`bucket.host`) or path style (`host/bucket`). */
export function bucketAddress(
	creds: BucketCredentials,
	bucket: string,
): { origin: string; host: string; basePath: string } {
	const endpoint = new URL(creds.endpoint || `https://s3.${creds.region}.amazonaws.com`);
	// A bucket name with dots breaks TLS for virtual-hosted addressing (the certificate covers one label).
	const pathStyle = creds.forcePathStyle || bucket.includes('.');
	const host = pathStyle ? endpoint.host : `${bucket}.${endpoint.host}`;
	const base = endpoint.pathname.replace(/\/+$/, '');
	return {
		origin: `${endpoint.protocol}//${host}`,
		host,
		basePath: pathStyle ? `${base}/${encodeURIComponent(bucket)}` : base,
	};
}
