/**
 * multipart/form-data parser for `POST dataset/{id}/append` (busboy, streaming). Image parts are
 * hashed while they stream (no bytes are kept: size, SHA-256, content type, filename); `item`, `items`
 * and `update` parts are collected as text whether or not they carry a filename (the SDK's `items` part
 * has none: `nucleus/dataset_item_uploader.py`). Parts keep their order, so `images[k]` is the k-th `image` part.
 * Which parts make which wire form is decided in ./routes/append.ts, not here.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { HttpError, decodeLoose } from './http';
import { MAX_MULTIPART_FIELD_BYTES, MAX_SYNC_ITEMS, type LocalImageInfo } from './rules';

export interface MultipartResult {
	/** Text parts by name (`item`, `items`, `update`, anything else sent without a filename). */
	fields: Map<string, string>;
	/** The `image` parts in order; `filename` is percent-decoded. */
	images: LocalImageInfo[];
	/** The `image` parts' filenames exactly as sent. */
	rawFilenames: string[];
	/** Names of file parts other than `image`, `item`, `items`, `update`. */
	unexpectedFiles: string[];
}

async function hashStream(stream: Readable): Promise<{ bytes: number; sha256: string }> {
	const h = createHash('sha256');
	let bytes = 0;
	for await (const chunk of stream) {
		bytes += (chunk as Buffer).length;
		h.update(chunk as Buffer);
	}
	return { bytes, sha256: h.digest('hex') };
}

async function collectText(stream: Readable, limit: number, name: string): Promise<string> {
	const chunks: Buffer[] = [];
	let n = 0;
	for await (const chunk of stream) {
		n += (chunk as Buffer).length;
		if (n > limit) {
			stream.resume();
			throw new HttpError(400, `Part "${name}" is larger than ${limit} bytes`);
		}
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks).toString('utf8');
}

/** Parse the whole multipart body (`body` is the metered request stream). 400 on malformed input. */
export function parseMultipart(req: IncomingMessage, body: Readable): Promise<MultipartResult> {
	return new Promise<MultipartResult>((resolve, reject) => {
		let bb: busboy.Busboy;
		try {
			bb = busboy({
				headers: req.headers,
				preservePath: true,
				limits: {
					fieldSize: MAX_MULTIPART_FIELD_BYTES,
					fields: 100,
					files: MAX_SYNC_ITEMS + 10,
					parts: MAX_SYNC_ITEMS + 110,
				},
			});
		} catch (e) {
			reject(new HttpError(400, `Malformed multipart/form-data request: ${(e as Error).message}`));
			return;
		}
		const fields = new Map<string, string>();
		const images: LocalImageInfo[] = [];
		const rawFilenames: string[] = [];
		const unexpectedFiles: string[] = [];
		const pending: Array<Promise<void>> = [];
		let failed = false;
		const fail = (e: unknown): void => {
			if (failed) return;
			failed = true;
			body.unpipe(bb);
			reject(
				e instanceof HttpError
					? e
					: new HttpError(400, `Malformed multipart/form-data request: ${(e as Error).message}`),
			);
		};
		bb.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
			if (info.valueTruncated) {
				fail(
					new HttpError(400, `Part "${name}" is larger than ${MAX_MULTIPART_FIELD_BYTES} bytes`),
				);
			} else fields.set(name, value);
		});
		bb.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
			if (name === 'image') {
				const idx = images.length;
				const raw = info.filename ?? '';
				rawFilenames.push(raw);
				images.push({
					bytes: 0,
					sha256: '',
					contentType: info.mimeType,
					filename: decodeLoose(raw),
				});
				pending.push(
					hashStream(stream).then(({ bytes, sha256 }) => {
						images[idx].bytes = bytes;
						images[idx].sha256 = sha256;
					}),
				);
			} else if (name === 'item' || name === 'items' || name === 'update') {
				pending.push(
					collectText(stream, MAX_MULTIPART_FIELD_BYTES, name).then(
						(t) => void fields.set(name, t),
					),
				);
			} else {
				unexpectedFiles.push(name);
				stream.resume();
			}
		});
		const onLimit = (what: string) => () => fail(new HttpError(400, `Too many multipart ${what}`));
		bb.on('partsLimit', onLimit('parts'));
		bb.on('filesLimit', onLimit('files'));
		bb.on('fieldsLimit', onLimit('fields'));
		bb.on('error', fail);
		bb.on('close', () => {
			Promise.all(pending).then(() => {
				if (!failed) resolve({ fields, images, rawFilenames, unexpectedFiles });
			}, fail);
		});
		body.on('error', fail);
		body.pipe(bb);
	});
}
