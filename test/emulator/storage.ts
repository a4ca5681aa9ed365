/**
 * The presigned "S3" PUT target of the async flow (the SDK's `upload_to_presigned_url`): `GET dataset/{id}/signedUrl/
 * {requestId}` (./routes/append.ts) mints a URL under `<origin>/__storage/<token>/<requestId>.ndjson`
 * with AWS-style query parameters; the client PUTs the NDJSON there, then references it by requestId
 * in `append?async=1`.
 *
 * Like S3 (ASSUMPTION: the real store is presumably S3; nothing public says): no API auth; an Authorization
 * header is a 400 ("Only one auth mechanism allowed", which is why the SDK sends none, `nucleus/utils.py`);
 * chunked transfer encoding is a 501 (send Content-Length; `storageAllowChunked` lifts this); a wrong
 * signature, unknown token or other method is a 403; an expired URL is a 403 "Request has expired".
 * Answers are S3-style XML. The body is streamed to a temporary file (never held in memory).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { requestBody, type EmuContext } from './context';
import { HttpError, send } from './http';
import type { Dataset } from './store';

export interface StorageObject {
	datasetId: string;
	requestId: string;
	/** The uploaded NDJSON, once a PUT succeeded. */
	file?: string;
	bytes: number;
	/** Non-empty lines of the upload (the items it should hold). */
	lines: number;
	etag?: string;
}

interface SignedToken {
	key: string;
	expires: number;
	sig: string;
}

export interface StorageState {
	readonly secret: Buffer;
	readonly tokens: Map<string, SignedToken>;
	/** By `<datasetId>/<requestId>`. */
	readonly objects: Map<string, StorageObject>;
}

/** The SDK sends `uuid4().hex` (`serialize_and_write_to_presigned_url`); ASSUMPTION: other id shapes within this set pass. */
const REQUEST_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

export function createStorageState(): StorageState {
	return { secret: randomBytes(32), tokens: new Map(), objects: new Map() };
}

function sign(st: StorageState, token: string, key: string, expires: number): string {
	return createHmac('sha256', st.secret).update(`${token}\n${key}\n${expires}`).digest('hex');
}

function xmlError(code: string, message: string, extra = ''): string {
	const id = randomBytes(8).toString('hex').toUpperCase();
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${id}</RequestId><HostId>emulator</HostId></Error>`;
}

/** A presigned PUT URL for `requestId` of dataset `ds` (`GET dataset/{id}/signedUrl/{requestId}`). */
export function mintSignedUrl(ctx: EmuContext, ds: Dataset, requestId: string): string {
	if (!REQUEST_ID_RE.test(requestId)) {
		throw new HttpError(400, 'requestId must be 1-128 characters of A-Z, a-z, 0-9, _ or -');
	}
	const st = ctx.storage;
	const key = `${ds.id}/${requestId}`;
	if (!st.objects.has(key))
		st.objects.set(key, { datasetId: ds.id, requestId, bytes: 0, lines: 0 });
	const token = randomBytes(12).toString('hex');
	const expires = Date.now() + ctx.signedUrlTtlMs;
	const sig = sign(st, token, key, expires);
	st.tokens.set(token, { key, expires, sig });
	const date = new Date()
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d{3}/, '');
	const q = new URLSearchParams({
		'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
		'X-Amz-Credential': `EMULATOR/${date.slice(0, 8)}/us-west-2/s3/aws4_request`,
		'X-Amz-Date': date,
		'X-Amz-Expires': String(Math.round(ctx.signedUrlTtlMs / 1000)),
		'X-Amz-SignedHeaders': 'host',
		'X-Amz-Signature': sig,
	});
	return `${ctx.origin}/__storage/${token}/${encodeURIComponent(requestId)}.ndjson?${q.toString()}`;
}

/** The upload object for a requestId (undefined when no signed URL was ever minted for it). */
export function uploadedObject(
	ctx: EmuContext,
	datasetId: string,
	requestId: string,
): StorageObject | undefined {
	return ctx.storage.objects.get(`${datasetId}/${requestId}`);
}

/** `PUT /__storage/<token>/<requestId>.ndjson?X-Amz-...` (`segs`: the raw path segments after /__storage). */
export async function handleStorage(
	ctx: EmuContext,
	req: IncomingMessage,
	res: ServerResponse,
	segs: string[],
	query: URLSearchParams,
): Promise<void> {
	const xml = { 'content-type': 'application/xml' };
	const st = ctx.storage;
	const token = segs[0] ?? '';
	const t = st.tokens.get(token);
	const denied = (code: string, message: string, status = 403, extra = ''): void =>
		send(req, res, status, xmlError(code, message, extra), xml);
	const badSignature = (): void =>
		denied(
			'SignatureDoesNotMatch',
			'The request signature we calculated does not match the signature you provided.',
		);
	if (req.headers.authorization !== undefined) {
		return denied(
			'InvalidArgument',
			'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
			400,
			'<ArgumentName>Authorization</ArgumentName>',
		);
	}
	if (!t || segs.length !== 2) return denied('AccessDenied', 'Access Denied');
	if (query.get('X-Amz-Signature') !== t.sig) return badSignature();
	if (Date.now() > t.expires) return denied('AccessDenied', 'Request has expired');
	if (req.method !== 'PUT') return badSignature();
	if (req.headers['transfer-encoding'] !== undefined && !ctx.storageAllowChunked) {
		return denied(
			'NotImplemented',
			'A header you provided implies functionality that is not implemented',
			501,
			'<Header>Transfer-Encoding</Header>',
		);
	}
	const obj = st.objects.get(t.key);
	if (!obj) return denied('AccessDenied', 'Access Denied');
	ctx.stats.storagePuts++;
	const final = join(ctx.tmp(), `obj-${obj.datasetId}-${obj.requestId}.ndjson`);
	const part = `${final}.${randomBytes(6).toString('hex')}.part`;
	const md5 = createHash('md5');
	let bytes = 0;
	let lines = 0;
	// Bytes of the current line so far, not counting a trailing "\r".
	let lineBytes = 0;
	const counter = new Transform({
		transform(chunk: Buffer, _e, cb) {
			md5.update(chunk);
			bytes += chunk.length;
			let start = 0;
			for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
				let len = lineBytes + (i - start);
				if (len > 0 && i > 0 && chunk[i - 1] === 13) len--;
				if (len > 0) lines++;
				lineBytes = 0;
				start = i + 1;
			}
			lineBytes += chunk.length - start;
			cb(null, chunk);
		},
	});
	try {
		await pipeline(requestBody(ctx, req), counter, createWriteStream(part));
	} catch (e) {
		await fsp.rm(part, { force: true });
		throw e;
	}
	if (lineBytes > 0) lines++;
	await fsp.rename(part, final);
	obj.file = final;
	obj.bytes = bytes;
	obj.lines = lines;
	obj.etag = `"${md5.digest('hex')}"`;
	if (!res.headersSent) {
		res.writeHead(200, { etag: obj.etag, 'content-length': '0' });
		res.end();
	}
}
