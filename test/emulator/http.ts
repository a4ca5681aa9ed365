/**
 * Small HTTP helpers shared by the emulator's route modules: the error type every handler throws,
 * JSON answers in the `{error, status_code}` shape, and request-body metering (count + throttle).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { MAX_JSON_BODY_BYTES, isPlainObject } from './rules';

/** Thrown by handlers; the server answers `{error: message, status_code: status}` with `headers`. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

export function decodeSegment(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		throw new HttpError(400, `Malformed percent-encoding in path segment "${s}"`);
	}
}

export function decodeLoose(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

/** Booleans as clients send them in JSON, form parts and query strings. */
export function truthy(v: unknown): boolean {
	return v === true || v === 1 || v === 'true' || v === '1' || v === 'True';
}

export function parseJsonText(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, `${what} is not valid JSON`);
	}
}

/** Send one answer: a string as text (or `headers['content-type']`), anything else as JSON. */
export function send(
	req: IncomingMessage,
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	if (res.headersSent || res.destroyed) return;
	let text: string;
	let type: string;
	if (typeof body === 'string') {
		text = body;
		type = headers['content-type'] ?? 'text/plain; charset=utf-8';
	} else {
		text = JSON.stringify(body);
		type = 'application/json; charset=utf-8';
	}
	if (!req.complete) {
		// The body was not (fully) read: drain it so the client sees this response and keep-alive survives.
		req.unpipe();
		req.resume();
	}
	res.writeHead(status, {
		...headers,
		'content-type': type,
		'content-length': String(Buffer.byteLength(text)),
	});
	res.end(text);
}

/**
 * Error answer. The `{error, status_code}` body is what some Nucleus endpoints embed (the
 * Python SDK's `NucleusClient.create_model` reads it); ASSUMPTION: non-2xx answers use the same shape
 * (nothing public says).
 */
export function sendError(
	req: IncomingMessage,
	res: ServerResponse,
	status: number,
	message: string,
	headers?: Record<string, string>,
): void {
	send(req, res, status, { error: message, status_code: status }, headers);
}

/** Counts and, when a finite rate is given, throttles a request body (backpressure reaches the sender). */
export class BodyMeter extends Transform {
	bytes = 0;
	private readonly start = Date.now();
	private timer: NodeJS.Timeout | undefined;
	constructor(
		private readonly onBytes: (n: number) => void,
		private readonly bytesPerSec: number,
	) {
		super();
	}
	_transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
		this.bytes += chunk.length;
		this.onBytes(chunk.length);
		if (!Number.isFinite(this.bytesPerSec) || this.bytesPerSec <= 0) {
			cb(null, chunk);
			return;
		}
		const wait = this.start + (this.bytes / this.bytesPerSec) * 1000 - Date.now();
		if (wait > 1) {
			this.timer = setTimeout(() => {
				this.timer = undefined;
				cb(null, chunk);
			}, wait);
		} else {
			cb(null, chunk);
		}
	}
	_destroy(err: Error | null, cb: (error: Error | null) => void): void {
		if (this.timer) clearTimeout(this.timer);
		cb(err);
	}
}

/** The request body through a BodyMeter. */
export function meteredBody(
	req: IncomingMessage,
	rate: number,
	onBytes: (n: number) => void,
): Readable {
	const meter = new BodyMeter(onBytes, rate);
	req.on('aborted', () => meter.destroy(new Error('request aborted')));
	req.on('error', (e) => meter.destroy(e));
	req.pipe(meter);
	return meter;
}

/** Reads a JSON body (at most MAX_JSON_BODY_BYTES); `undefined` when it is empty. */
export async function readJson(body: Readable): Promise<unknown> {
	const chunks: Buffer[] = [];
	let n = 0;
	for await (const chunk of body) {
		n += (chunk as Buffer).length;
		if (n > MAX_JSON_BODY_BYTES) {
			throw new HttpError(413, `Request body larger than ${MAX_JSON_BODY_BYTES} bytes`);
		}
		chunks.push(chunk as Buffer);
	}
	const text = Buffer.concat(chunks).toString('utf8');
	if (text.trim() === '') return undefined;
	return parseJsonText(text, 'Request body');
}

/** Reads a JSON object body; an empty body is `{}` unless `required`. */
export async function readJsonObject(
	body: Readable,
	required = false,
): Promise<Record<string, unknown>> {
	const parsed = await readJson(body);
	if (parsed === undefined && !required) return {};
	if (!isPlainObject(parsed)) throw new HttpError(400, 'Request body must be a JSON object');
	return parsed;
}
