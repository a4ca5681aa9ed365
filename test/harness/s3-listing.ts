/**
 * A listing-only S3 stand-in: ListObjectsV2 (GET /<bucket>?list-type=2, path style) over objects
 * that are generated, not stored, so a bucket of a million objects costs no disk and no upload.
 * s3rver cannot hold that many quickly; this answers the same XML for the same keys (checked by
 * test/integration/s3-listing-standin.test.ts against s3rver), each page after `pageDelayMs`
 * (default 50 ms, as the emulator's realistic profile answers a request).
 *
 * What it implements of ListObjectsV2: prefix, delimiter (CommonPrefixes count towards max-keys),
 * max-keys (at most 1,000), continuation-token (opaque here: the last key or folder of the page,
 * base64url), IsTruncated, KeyCount, ETag (quoted), Size, LastModified; and GetBucketLocation
 * (`?location`, which n8n's S3 node asks first), answered as for us-east-1. Signatures are not
 * checked; any other request answers 501. Objects cannot be read (Nucleus is given no endpoint to read them).
 *
 *   const listing = await startListingStandIn(generatedBucket({ folders: 10, perFolder: 100_000 }));
 *   // list http://127.0.0.1:PORT/<any bucket>?list-type=2&prefix=...
 *   listing.setSource(generatedBucket({ folders: 10, perFolder: 101_000 }));
 *   await listing.close();
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListedObject {
	key: string;
	size: number;
	/** Without quotes. */
	etag: string;
	lastModified: string;
}

/** Objects in ascending key order (ASCII keys: byte order and string order agree). */
export interface ObjectSource {
	count: number;
	at(index: number): ListedObject;
}

export function arraySource(objects: ListedObject[]): ObjectSource {
	const sorted = [...objects].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	return { count: sorted.length, at: (i) => sorted[i] };
}

/**
 * `<root><folder>/<n>.png` for `folders` folders of `perFolder` objects each; the ETag is the MD5
 * of the key (as if each object's bytes were its key), the size a fixed 68 bytes.
 */
export function generatedBucket(opts: {
	root?: string;
	folders: number;
	perFolder: number;
	lastModified?: string;
}): ObjectSource {
	const root = opts.root ?? 'incoming/';
	const lastModified = opts.lastModified ?? '2026-12-01T00:00:00.000Z';
	return {
		count: opts.folders * opts.perFolder,
		at(i) {
			const folder = Math.floor(i / opts.perFolder);
			const key = `${root}f${String(folder).padStart(4, '0')}/${String(i % opts.perFolder).padStart(8, '0')}.png`;
			return { key, size: 68, etag: createHash('md5').update(key).digest('hex'), lastModified };
		},
	};
}

/** First index whose key is >= `key` (or > it with `after`). */
function lowerBound(source: ObjectSource, key: string, after = false): number {
	let lo = 0;
	let hi = source.count;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		const k = source.at(mid).key;
		if (k < key || (after && k === key)) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function xmlText(s: string): string {
	return s
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;');
}

export interface ListPageAnswer {
	objects: ListedObject[];
	folders: string[];
	nextToken?: string;
}

/** One page of ListObjectsV2, as S3 computes it. */
export function listPage(
	source: ObjectSource,
	q: { prefix: string; delimiter?: string; maxKeys: number; token?: string },
): ListPageAnswer {
	const after = q.token ? Buffer.from(q.token, 'base64url').toString('utf8') : undefined;
	let i = after === undefined ? lowerBound(source, q.prefix) : lowerBound(source, after, true);
	if (after !== undefined && q.delimiter && after.endsWith(q.delimiter)) {
		// The token names a folder: skip every key under it.
		const next = after.slice(0, -1) + String.fromCharCode(after.charCodeAt(after.length - 1) + 1);
		i = lowerBound(source, next);
	}
	const objects: ListedObject[] = [];
	const folders: string[] = [];
	let last: string | undefined;
	while (i < source.count && objects.length + folders.length < q.maxKeys) {
		const o = source.at(i);
		if (!o.key.startsWith(q.prefix)) break;
		const cut = q.delimiter ? o.key.indexOf(q.delimiter, q.prefix.length) : -1;
		if (cut >= 0) {
			const folder = o.key.slice(0, cut + q.delimiter!.length);
			folders.push(folder);
			last = folder;
			const next =
				folder.slice(0, -1) + String.fromCharCode(folder.charCodeAt(folder.length - 1) + 1);
			i = lowerBound(source, next);
		} else {
			objects.push(o);
			last = o.key;
			i++;
		}
	}
	const more = i < source.count && source.at(i).key.startsWith(q.prefix);
	return {
		objects,
		folders,
		...(more && last !== undefined
			? { nextToken: Buffer.from(last, 'utf8').toString('base64url') }
			: {}),
	};
}

function pageXml(
	bucket: string,
	q: { prefix: string; delimiter?: string; maxKeys: number; token?: string },
	page: ListPageAnswer,
): string {
	const parts = [
		'<?xml version="1.0" encoding="UTF-8"?>',
		'<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
		`<Name>${xmlText(bucket)}</Name><Prefix>${xmlText(q.prefix)}</Prefix>`,
		q.token ? `<ContinuationToken>${q.token}</ContinuationToken>` : '',
		page.nextToken ? `<NextContinuationToken>${page.nextToken}</NextContinuationToken>` : '',
		`<KeyCount>${page.objects.length + page.folders.length}</KeyCount><MaxKeys>${q.maxKeys}</MaxKeys>`,
		q.delimiter ? `<Delimiter>${xmlText(q.delimiter)}</Delimiter>` : '',
		`<IsTruncated>${page.nextToken ? 'true' : 'false'}</IsTruncated>`,
	];
	for (const o of page.objects) {
		parts.push(
			`<Contents><Key>${xmlText(o.key)}</Key><LastModified>${o.lastModified}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
		);
	}
	for (const f of page.folders)
		parts.push(`<CommonPrefixes><Prefix>${xmlText(f)}</Prefix></CommonPrefixes>`);
	parts.push('</ListBucketResult>');
	return parts.join('');
}

export interface ListingStandIn {
	/** http://127.0.0.1:PORT (path style: <endpoint>/<bucket>). */
	endpoint: string;
	/** Listing requests answered so far. */
	pages(): number;
	setSource(source: ObjectSource): void;
	setPageDelay(ms: number): void;
	close(): Promise<void>;
}

export async function startListingStandIn(
	source: ObjectSource,
	opts: { pageDelayMs?: number } = {},
): Promise<ListingStandIn> {
	let current = source;
	let delay = opts.pageDelayMs ?? 50;
	let pages = 0;
	const server = http.createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://stand-in');
		const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
		if (req.method === 'GET' && bucket && url.searchParams.has('location')) {
			// us-east-1 answers an empty LocationConstraint (S3 API reference, GetBucketLocation).
			res
				.writeHead(200, { 'content-type': 'application/xml' })
				.end(
					'<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>',
				);
			return;
		}
		if (req.method !== 'GET' || !bucket || url.searchParams.get('list-type') !== '2') {
			res
				.writeHead(501, { 'content-type': 'application/xml' })
				.end('<Error><Code>NotImplemented</Code></Error>');
			return;
		}
		const q = {
			prefix: url.searchParams.get('prefix') ?? '',
			delimiter: url.searchParams.get('delimiter') || undefined,
			maxKeys: Math.min(1000, Number(url.searchParams.get('max-keys') ?? 1000) || 1000),
			token: url.searchParams.get('continuation-token') || undefined,
		};
		const answer = pageXml(bucket, q, listPage(current, q));
		pages++;
		const timer = setTimeout(
			() => res.writeHead(200, { 'content-type': 'application/xml' }).end(answer),
			delay,
		);
		res.on('close', () => clearTimeout(timer));
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		endpoint: `http://127.0.0.1:${port}`,
		pages: () => pages,
		setSource: (s) => {
			current = s;
		},
		setPageDelay: (ms) => {
			delay = ms;
		},
		close: async () => {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
