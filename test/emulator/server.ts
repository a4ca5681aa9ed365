/**
 * Nucleus-compatible HTTP server for tests, the demo and benchmarks (node:http, no framework).
 * Behaviour rules (item failures, update semantics, faults, profiles): see ./rules.ts and ./faults.ts.
 *
 * Layout of URLs on one port:
 *   <origin>/v1/nucleus/...   the API (Basic auth: username = API key, password ignored)
 *   <origin>/__storage/...    presigned "S3" PUT target (no auth; an Authorization header is a 400 like S3;
 *                             chunked transfer encoding is a 501 like S3, so send Content-Length)
 *   <origin>/__control/...    test control API (same Basic auth), never faulted unless `routes` matches it
 *
 * Request order for API routes: fault decision (slow delay, then 429/5xx/drop) -> auth (401) ->
 * in-flight limit (realistic: 429 + Retry-After: 1) -> profile latency -> handler (body read at the
 * profile's upload rate). Nothing is read or applied before the fault decision.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, promises as fsp, rmSync, createWriteStream } from 'node:fs';
import { setMaxListeners } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import busboy from 'busboy';
import { DEFAULT_FAULTS, FaultInjector, type Faults } from './faults';
import { FINAL_STATUSES, JobManager, type JobRecord } from './jobs';
import {
	API_PREFIX,
	DEFAULT_API_KEY,
	MAX_JOBS_LIMIT,
	MAX_JSON_BODY_BYTES,
	MAX_MULTIPART_FIELD_BYTES,
	MAX_SYNC_ITEMS,
	PROFILES,
	REALISTIC_RETRY_AFTER_S,
	SIGNED_URL_TTL_MS,
	isPlainObject,
	remoteUrlFailure,
	type ItemLike,
	type LocalImageInfo,
	type ProfileSettings,
} from './rules';
import { apiItem, Store, type Dataset, type StoredItem } from './store';

export type { Faults } from './faults';
export type { JobRecord, JobHistoryEntry } from './jobs';
export type { StoredItem } from './store';

export interface EmulatorOptions {
	/** Default 'test_emulator_key_0123456789'. */
	apiKey?: string;
	/** Default 0 (ephemeral). */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	profile?: 'fast' | 'realistic';
	/** Multiplies job rates and divides the queue delay (default 1). */
	jobSpeed?: number;
	/** Initial faults. */
	faults?: Partial<Faults>;
	/** Default true: no request log. When false, one line per request goes to `log` (default stderr). */
	quiet?: boolean;
	log?: (line: string) => void;
	/** Override single numbers of the profile (e.g. latencyMs, maxInFlightPerKey). */
	overrides?: Partial<ProfileSettings>;
	/** Presigned URL lifetime (default SIGNED_URL_TTL_MS). */
	signedUrlTtlMs?: number;
	/** Accept chunked (no Content-Length) presigned PUTs; real S3 answers 501. Default false. */
	storageAllowChunked?: boolean;
	/** Jobs created by `append?async=1` stay Queued until `startJob`/`finishJob` (default false). */
	holdNewJobs?: boolean;
}

export interface EmulatorStats {
	/** Requests to API routes (/v1/nucleus), faulted ones included. */
	requests: number;
	storageRequests: number;
	controlRequests: number;
	/** Per route pattern, e.g. 'POST dataset/:id/append', 'PUT __storage'; faulted ones included. */
	byRoute: Record<string, number>;
	/** Per HTTP status sent (API and storage). */
	byStatus: Record<string, number>;
	faultsInjected: { r429: number; r5xx: number; dropped: number; slow: number };
	/** 429s from the realistic in-flight limit (not faults). */
	limited429: number;
	unauthorized: number;
	inFlight: number;
	inFlightPeak: number;
	/** `POST dataset/:id/append` requests that arrived (faulted ones included). */
	appendRequests: number;
	/** Items received by synchronous appends that reached the handler (JSON + multipart). */
	appendItemsReceived: number;
	/** Image parts received (multipart). */
	imagesReceived: number;
	/** Request body bytes read (API and storage). */
	bytesReceived: number;
	storagePuts: number;
	jobsCreated: number;
}

export interface Emulator {
	/** http://127.0.0.1:PORT/v1/nucleus */
	baseUrl: string;
	/** http://127.0.0.1:PORT */
	origin: string;
	apiKey: string;
	port: number;
	/** Effective profile numbers (jobSpeed not applied). */
	settings: Readonly<ProfileSettings>;
	jobSpeed: number;
	close(): Promise<void>;
	setFaults(f: Partial<Faults>): void;
	resetFaults(): void;
	faults(): Readonly<Faults>;
	stats(): EmulatorStats;
	resetStats(): void;
	createDataset(name: string, opts?: { usePrivacyMode?: boolean; isScene?: boolean }): string;
	getItem(datasetId: string, referenceId: string): StoredItem | undefined;
	listItems(datasetId: string): StoredItem[];
	itemCount(datasetId: string): number;
	getJob(jobId: string): JobRecord | undefined;
	listJobs(): JobRecord[];
	/** Create a job directly (as `append?async=1` would, from items instead of an upload). */
	createJob(
		datasetId: string | null,
		items?: unknown[],
		opts?: { update?: boolean; hold?: boolean; jobType?: string; createdAt?: Date | string; status?: string },
	): JobRecord;
	/** Release a held job (created with hold: true, or while holdNewJobs was on). */
	startJob(jobId: string): boolean;
	/** While on, jobs created by `append?async=1` stay Queued until started or finished. */
	setHoldNewJobs(hold: boolean): void;
	/** Run the rest of a job without pacing; resolves with its final record. */
	finishJob(jobId: string): Promise<JobRecord | undefined>;
	waitForJob(jobId: string): Promise<JobRecord | undefined>;
	setJobStatus(jobId: string, status: string, finalError?: string): JobRecord | undefined;
	/**
	 * Make the API unreachable for `ms`: 'refuse' closes the listening socket (clients get ECONNREFUSED)
	 * and re-listens on the same port; 'reset' accepts and destroys every connection (ECONNRESET).
	 * Existing connections are destroyed either way. Resolves when the API is back.
	 */
	outage(ms: number, mode?: 'refuse' | 'reset'): Promise<void>;
}

class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

interface StorageObject {
	datasetId: string;
	requestId: string;
	file?: string;
	bytes: number;
	lines: number;
	etag?: string;
}

interface SignedToken {
	key: string;
	expires: number;
	sig: string;
}

const REQUEST_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

function emptyStats(): EmulatorStats {
	return {
		requests: 0,
		storageRequests: 0,
		controlRequests: 0,
		byRoute: {},
		byStatus: {},
		faultsInjected: { r429: 0, r5xx: 0, dropped: 0, slow: 0 },
		limited429: 0,
		unauthorized: 0,
		inFlight: 0,
		inFlightPeak: 0,
		appendRequests: 0,
		appendItemsReceived: 0,
		imagesReceived: 0,
		bytesReceived: 0,
		storagePuts: 0,
		jobsCreated: 0,
	};
}

function decodeSegment(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		throw new HttpError(400, `Malformed percent-encoding in path segment "${s}"`);
	}
}

function decodeLoose(s: string): string {
	try {
		return decodeURIComponent(s);
	} catch {
		return s;
	}
}

function truthy(v: unknown): boolean {
	return v === true || v === 1 || v === 'true' || v === '1' || v === 'True';
}

function snapshotJob(rec: JobRecord): JobRecord {
	return { ...rec, errors: [...rec.errors], history: rec.history.map((h) => ({ ...h })) };
}

function xmlError(code: string, message: string, extra = ''): string {
	const id = randomBytes(8).toString('hex').toUpperCase();
	return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${id}</RequestId><HostId>emulator</HostId></Error>`;
}

/** Counts and, when a finite rate is given, throttles a request body (backpressure reaches the sender). */
class BodyMeter extends Transform {
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

interface MultipartResult {
	fields: Map<string, string>;
	images: LocalImageInfo[];
	rawFilenames: string[];
	unexpectedFiles: string[];
}

function parseMultipart(req: IncomingMessage, body: Readable): Promise<MultipartResult> {
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
			reject(e instanceof HttpError ? e : new HttpError(400, `Malformed multipart/form-data request: ${(e as Error).message}`));
		};
		bb.on('field', (name: string, value: string, info: busboy.FieldInfo) => {
			if (info.valueTruncated) fail(new HttpError(400, `Part "${name}" is larger than ${MAX_MULTIPART_FIELD_BYTES} bytes`));
			else fields.set(name, value);
		});
		bb.on('file', (name: string, stream: Readable, info: busboy.FileInfo) => {
			if (name === 'image') {
				const idx = images.length;
				const raw = info.filename ?? '';
				rawFilenames.push(raw);
				images.push({ bytes: 0, sha256: '', contentType: info.mimeType, filename: decodeLoose(raw) });
				pending.push(
					hashStream(stream).then(({ bytes, sha256 }) => {
						images[idx].bytes = bytes;
						images[idx].sha256 = sha256;
					}),
				);
			} else if (name === 'item' || name === 'items' || name === 'update') {
				pending.push(collectText(stream, MAX_MULTIPART_FIELD_BYTES, name).then((t) => void fields.set(name, t)));
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
			Promise.all(pending).then(
				() => {
					if (!failed) resolve({ fields, images, rawFilenames, unexpectedFiles });
				},
				fail,
			);
		});
		body.on('error', fail);
		body.pipe(bb);
	});
}

function parseJsonText(text: string, what: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		throw new HttpError(400, `${what} is not valid JSON`);
	}
}

/** Start the emulator; see the `Emulator` interface. */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
	const host = opts.host ?? '127.0.0.1';
	const profileName = opts.profile ?? 'fast';
	if (!PROFILES[profileName]) throw new Error(`Unknown profile "${profileName}"`);
	const settings: ProfileSettings = { ...PROFILES[profileName], ...(opts.overrides ?? {}) };
	const jobSpeed = opts.jobSpeed ?? 1;
	if (!(jobSpeed > 0) || !Number.isFinite(jobSpeed)) throw new Error('jobSpeed must be a positive number');
	const signedUrlTtlMs = opts.signedUrlTtlMs ?? SIGNED_URL_TTL_MS;
	const quiet = opts.quiet ?? true;
	const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));

	const lifetime = new AbortController();
	setMaxListeners(0, lifetime.signal);
	const store = new Store();
	const jobs = new JobManager(
		store,
		{
			queueDelayMs: () => settings.jobQueueDelayMs / jobSpeed,
			ingestPerSec: () => settings.ingestItemsPerSec * jobSpeed,
			imagesPerSec: () => settings.jobItemsPerSec * jobSpeed,
		},
		lifetime.signal,
	);
	const faults = new FaultInjector();
	if (opts.faults) faults.set(opts.faults);
	let stats = emptyStats();
	const inFlightByKey = new Map<string, number>();
	const signingSecret = randomBytes(32);
	const tokens = new Map<string, SignedToken>();
	const objects = new Map<string, StorageObject>();
	let tmpDir: string | undefined;
	const tmp = (): string => (tmpDir ??= mkdtempSync(join(tmpdir(), 'nucleus-emulator-')));

	let holdNewJobs = opts.holdNewJobs === true;
	let port = opts.port ?? 0;
	let origin = '';
	let closed = false;
	let resetMode = false;
	let outageTimer: NodeJS.Timeout | undefined;
	let outageDone: (() => void) | undefined;

	const sleep = (ms: number): Promise<void> =>
		ms > 0 ? sleepTimer(ms, undefined, { signal: lifetime.signal }) : Promise.resolve();

	/** Returns the key the request authenticates with, or undefined. Password is ignored. */
	function authKey(req: IncomingMessage): string | undefined {
		const h = req.headers.authorization;
		if (typeof h !== 'string' || !/^basic /i.test(h)) return undefined;
		let decoded: string;
		try {
			decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
		} catch {
			return undefined;
		}
		const idx = decoded.indexOf(':');
		const user = idx >= 0 ? decoded.slice(0, idx) : decoded;
		const a = Buffer.from(user);
		const b = Buffer.from(apiKey);
		if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
		return user;
	}

	function countStatus(status: number): void {
		stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
	}

	function send(
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

	function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string, headers?: Record<string, string>): void {
		send(req, res, status, { error: message, status_code: status }, headers);
	}

	function bodyStream(req: IncomingMessage, rate: number): { stream: Readable; meter: BodyMeter } {
		const meter = new BodyMeter((n) => (stats.bytesReceived += n), rate);
		req.on('aborted', () => meter.destroy(new Error('request aborted')));
		req.on('error', (e) => meter.destroy(e));
		req.pipe(meter);
		return { stream: meter, meter };
	}

	async function readJson(req: IncomingMessage, rate: number): Promise<unknown> {
		const { stream } = bodyStream(req, rate);
		const chunks: Buffer[] = [];
		let n = 0;
		for await (const chunk of stream) {
			n += (chunk as Buffer).length;
			if (n > MAX_JSON_BODY_BYTES) throw new HttpError(413, `Request body larger than ${MAX_JSON_BODY_BYTES} bytes`);
			chunks.push(chunk as Buffer);
		}
		const text = Buffer.concat(chunks).toString('utf8');
		if (text.trim() === '') return undefined;
		return parseJsonText(text, 'Request body');
	}

	async function readJsonObject(req: IncomingMessage, rate: number, required = false): Promise<Record<string, unknown>> {
		const body = await readJson(req, rate);
		if (body === undefined && !required) return {};
		if (!isPlainObject(body)) throw new HttpError(400, 'Request body must be a JSON object');
		return body;
	}

	function dataset(id: string): Dataset {
		const ds = store.get(id);
		if (!ds) throw new HttpError(404, `Dataset ${id} not found`);
		return ds;
	}

	function job(id: string): JobRecord {
		const rec = jobs.get(id);
		if (!rec) throw new HttpError(404, `Job ${id} not found`);
		return rec;
	}

	// ---- append ------------------------------------------------------------------------------

	interface Counts {
		dataset_id: string;
		new_items: number;
		updated_items: number;
		ignored_items: number;
		upload_errors: number;
		error_payload: Array<Record<string, unknown>>;
	}

	function applyAll(ds: Dataset, entries: Array<{ item: ItemLike; update: boolean; image?: LocalImageInfo | null }>): Counts {
		const counts: Counts = {
			dataset_id: ds.id,
			new_items: 0,
			updated_items: 0,
			ignored_items: 0,
			upload_errors: 0,
			error_payload: [],
		};
		for (const e of entries) {
			const r = store.apply(ds, e.item, e.update, e.image);
			if (r.outcome === 'new') counts.new_items++;
			else if (r.outcome === 'updated') counts.updated_items++;
			else if (r.outcome === 'ignored') counts.ignored_items++;
			else {
				counts.upload_errors++;
				const { update: _u, ...rest } = e.item;
				void _u;
				const payload: Record<string, unknown> = { ...rest, error: r.error };
				if (e.image && payload.image_url === undefined) payload.image_url = e.image.filename;
				counts.error_payload.push(payload);
			}
		}
		return counts;
	}

	function checkItems(items: unknown, what: string): ItemLike[] {
		if (!Array.isArray(items)) throw new HttpError(400, `${what} must be a JSON array of items`);
		if (items.length === 0) throw new HttpError(400, `${what} is empty`);
		if (items.length > MAX_SYNC_ITEMS) {
			throw new HttpError(400, `Too many items in one request (${items.length} > ${MAX_SYNC_ITEMS}); use the asynchronous upload`);
		}
		const seen = new Map<string, number>();
		items.forEach((it, i) => {
			if (!isPlainObject(it)) throw new HttpError(400, `Item ${i} is not a JSON object`);
			const ref = it.reference_id;
			if (typeof ref !== 'string' || ref === '') throw new HttpError(400, `Item ${i} has no reference_id (a non-empty string is required)`);
			const prev = seen.get(ref);
			if (prev !== undefined) throw new HttpError(400, `Duplicate reference_id "${ref}" (items ${prev} and ${i})`);
			seen.set(ref, i);
		});
		return items as ItemLike[];
	}

	async function handleAppend(req: IncomingMessage, res: ServerResponse, ds: Dataset, query: URLSearchParams): Promise<void> {
		if (ds.is_scene) throw new HttpError(400, `Dataset ${ds.id} is a scene dataset; append scenes instead of items`);
		const ctype = String(req.headers['content-type'] ?? '').toLowerCase();
		const rate = settings.uploadBytesPerSec;
		const isAsync = truthy(query.get('async'));
		if (ctype.startsWith('multipart/')) {
			if (isAsync) throw new HttpError(400, 'Asynchronous append takes a JSON body {requestId, update}, not multipart');
			const { stream } = bodyStream(req, rate);
			const mp = await parseMultipart(req, stream);
			stats.imagesReceived += mp.images.length;
			if (mp.unexpectedFiles.length > 0) {
				throw new HttpError(400, `Unexpected file part "${mp.unexpectedFiles[0]}"; files must be sent as "image" parts`);
			}
			const partUpdate = mp.fields.has('update') ? truthy(mp.fields.get('update')!.trim()) : truthy(query.get('update'));
			const itemText = mp.fields.get('item');
			const itemsText = mp.fields.get('items');
			if (itemText !== undefined && itemsText !== undefined) throw new HttpError(400, 'Send either an "item" part or an "items" part, not both');
			if (itemText !== undefined) {
				// Form 2 (this package's node): one item + one image.
				const item = parseJsonText(itemText, 'Part "item"');
				const [checked] = checkItems([item], 'Part "item"');
				if (mp.images.length === 0) throw new HttpError(400, 'Multipart append with an "item" part needs an "image" file part');
				if (mp.images.length > 1) throw new HttpError(400, `One "item" part takes exactly one "image" part (got ${mp.images.length})`);
				stats.appendItemsReceived++;
				const update = checked.update !== undefined ? truthy(checked.update) : partUpdate;
				send(req, res, 200, applyAll(ds, [{ item: checked, update, image: mp.images[0] }]));
				return;
			}
			if (itemsText !== undefined) {
				// Form 3 (the Python SDK): items list + repeated image parts, paired by filename or order.
				const items = checkItems(parseJsonText(itemsText, 'Part "items"'), 'Part "items"');
				stats.appendItemsReceived += items.length;
				const used = new Array<boolean>(mp.images.length).fill(false);
				const byName = new Map<string, number[]>();
				mp.images.forEach((im, i) => {
					for (const n of new Set([im.filename, mp.rawFilenames[i]])) {
						const list = byName.get(n) ?? [];
						list.push(i);
						byName.set(n, list);
					}
				});
				const assigned: Array<number | undefined> = items.map((it) => {
					if (typeof it.image_url !== 'string') return undefined;
					const cands = byName.get(it.image_url) ?? byName.get(decodeLoose(it.image_url)) ?? [];
					const free = cands.find((i) => !used[i]);
					if (free !== undefined) used[free] = true;
					return free;
				});
				let next = 0;
				for (let k = 0; k < items.length; k++) {
					if (assigned[k] !== undefined) continue;
					while (next < used.length && used[next]) next++;
					if (next < used.length) {
						used[next] = true;
						assigned[k] = next;
					}
				}
				const entries = items.map((item, k) => {
					const idx = assigned[k];
					const update = item.update !== undefined ? truthy(item.update) : partUpdate;
					let image: LocalImageInfo | null | undefined;
					if (idx !== undefined) image = mp.images[idx];
					else image = remoteUrlFailure(item.image_url) === undefined ? undefined : null;
					return { item, update, image };
				});
				send(req, res, 200, applyAll(ds, entries));
				return;
			}
			throw new HttpError(400, 'Multipart append needs an "item" part (one item) or an "items" part (a JSON list)');
		}

		const body = await readJsonObject(req, rate, true);
		if (isAsync) {
			const requestId = body.requestId ?? body.request_id;
			if (typeof requestId !== 'string' || requestId === '') {
				throw new HttpError(400, 'Asynchronous append needs "requestId" (from GET dataset/{id}/signedUrl/{requestId})');
			}
			const key = `${ds.id}/${requestId}`;
			const obj = objects.get(key);
			if (!obj) throw new HttpError(400, `Unknown requestId "${requestId}": get a signed URL and upload the items first`);
			if (!obj.file) throw new HttpError(400, `Nothing was uploaded for requestId "${requestId}"`);
			const jobFile = join(tmp(), `job-${randomBytes(8).toString('hex')}.ndjson`);
			await fsp.link(obj.file, jobFile);
			const rec = jobs.create({
				datasetId: ds.id,
				update: truthy(body.update),
				source: { file: jobFile },
				requestId,
				total: obj.lines,
				hold: holdNewJobs,
			});
			stats.jobsCreated++;
			send(req, res, 200, { ...jobs.infoBody(rec), job_last_known_status: 'Queued' });
			return;
		}
		if (body.requestId !== undefined) throw new HttpError(400, 'A body with "requestId" needs ?async=1');
		const items = checkItems(body.items, '"items"');
		stats.appendItemsReceived += items.length;
		const update = body.update !== undefined ? truthy(body.update) : truthy(query.get('update'));
		send(req, res, 200, applyAll(ds, items.map((item) => ({ item, update }))));
	}

	// ---- presigned storage --------------------------------------------------------------------

	function sign(token: string, key: string, expires: number): string {
		return createHmac('sha256', signingSecret).update(`${token}\n${key}\n${expires}`).digest('hex');
	}

	function signedUrl(ds: Dataset, requestId: string): string {
		if (!REQUEST_ID_RE.test(requestId)) throw new HttpError(400, 'requestId must be 1-128 characters of A-Z, a-z, 0-9, _ or -');
		const key = `${ds.id}/${requestId}`;
		if (!objects.has(key)) objects.set(key, { datasetId: ds.id, requestId, bytes: 0, lines: 0 });
		const token = randomBytes(12).toString('hex');
		const expires = Date.now() + signedUrlTtlMs;
		const sig = sign(token, key, expires);
		tokens.set(token, { key, expires, sig });
		const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
		const q = new URLSearchParams({
			'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
			'X-Amz-Credential': `EMULATOR/${date.slice(0, 8)}/us-west-2/s3/aws4_request`,
			'X-Amz-Date': date,
			'X-Amz-Expires': String(Math.round(signedUrlTtlMs / 1000)),
			'X-Amz-SignedHeaders': 'host',
			'X-Amz-Signature': sig,
		});
		return `${origin}/__storage/${token}/${encodeURIComponent(requestId)}.ndjson?${q.toString()}`;
	}

	async function handleStorage(req: IncomingMessage, res: ServerResponse, segs: string[], query: URLSearchParams): Promise<void> {
		const xml = { 'content-type': 'application/xml' };
		const token = segs[0] ?? '';
		const t = tokens.get(token);
		if (req.headers.authorization !== undefined) {
			send(
				req,
				res,
				400,
				xmlError(
					'InvalidArgument',
					'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
					'<ArgumentName>Authorization</ArgumentName>',
				),
				xml,
			);
			return;
		}
		if (!t || segs.length !== 2) {
			send(req, res, 403, xmlError('AccessDenied', 'Access Denied'), xml);
			return;
		}
		if (query.get('X-Amz-Signature') !== t.sig) {
			send(req, res, 403, xmlError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), xml);
			return;
		}
		if (Date.now() > t.expires) {
			send(req, res, 403, xmlError('AccessDenied', 'Request has expired'), xml);
			return;
		}
		if (req.method !== 'PUT') {
			send(req, res, 403, xmlError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.'), xml);
			return;
		}
		if (req.headers['transfer-encoding'] !== undefined && !opts.storageAllowChunked) {
			send(
				req,
				res,
				501,
				xmlError('NotImplemented', 'A header you provided implies functionality that is not implemented', '<Header>Transfer-Encoding</Header>'),
				xml,
			);
			return;
		}
		const obj = objects.get(t.key);
		if (!obj) {
			send(req, res, 403, xmlError('AccessDenied', 'Access Denied'), xml);
			return;
		}
		stats.storagePuts++;
		const final = join(tmp(), `obj-${obj.datasetId}-${obj.requestId}.ndjson`);
		const part = `${final}.${randomBytes(6).toString('hex')}.part`;
		const { stream } = bodyStream(req, settings.uploadBytesPerSec);
		const md5 = createHash('md5');
		let bytes = 0;
		let lines = 0;
		let lastByte = 10;
		const counter = new Transform({
			transform(chunk: Buffer, _e, cb) {
				md5.update(chunk);
				bytes += chunk.length;
				for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
				if (chunk.length > 0) lastByte = chunk[chunk.length - 1];
				cb(null, chunk);
			},
		});
		try {
			await pipeline(stream, counter, createWriteStream(part));
		} catch (e) {
			await fsp.rm(part, { force: true });
			throw e;
		}
		if (bytes > 0 && lastByte !== 10) lines++;
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

	// ---- API routes ---------------------------------------------------------------------------

	function routeKey(method: string, segs: string[]): string {
		const [a, b, c] = segs;
		if (a === 'dataset') {
			if (b === 'details' || b === 'create') return `${method} dataset/${b}`;
			if (segs.length === 2) return `${method} dataset/:id`;
			if (c === 'refloc') return `${method} dataset/:id/refloc/:ref`;
			if (c === 'signedUrl') return `${method} dataset/:id/signedUrl/:requestId`;
			return `${method} dataset/:id/${c ?? ''}`;
		}
		if (a === 'job') return segs.length > 2 ? `${method} job/:id/${c}` : `${method} job/:id`;
		return `${method} ${segs.join('/')}`;
	}

	async function handleApi(req: IncomingMessage, res: ServerResponse, segs: string[], query: URLSearchParams): Promise<void> {
		const m = req.method ?? 'GET';
		const rate = settings.uploadBytesPerSec;
		const [a, b, c] = segs;
		if (a === 'dataset') {
			if (b === 'details' && segs.length === 2 && m === 'GET') {
				send(req, res, 200, [...store.datasets.values()].map((d) => ({ id: d.id, name: d.name, is_public: false })));
				return;
			}
			if (b === 'create' && segs.length === 2 && m === 'POST') {
				const body = await readJsonObject(req, rate, true);
				if (typeof body.name !== 'string' || body.name.trim() === '') throw new HttpError(400, '"name" must be a non-empty string');
				const ds = store.createDataset(body.name, { usePrivacyMode: truthy(body.use_privacy_mode), isScene: truthy(body.is_scene) });
				send(req, res, 200, { dataset_id: ds.id, name: ds.name });
				return;
			}
			if (b !== undefined && b !== '') {
				const ds = dataset(b);
				if (segs.length === 2 && m === 'DELETE') {
					store.datasets.delete(ds.id);
					send(req, res, 200, { message: `Beginning dataset deletion for ${ds.id}...` });
					return;
				}
				if (segs.length === 3 && m === 'GET') {
					switch (c) {
						case 'info':
							send(req, res, 200, {
								dataset_id: ds.id,
								name: ds.name,
								length: ds.items.size,
								model_run_ids: [],
								slice_ids: [],
								annotation_metadata_schema: null,
								item_metadata_schema: null,
								tags: [],
								is_scene: ds.is_scene,
								use_privacy_mode: ds.use_privacy_mode,
							});
							return;
						case 'name':
							send(req, res, 200, { name: ds.name });
							return;
						case 'size':
							send(req, res, 200, { count: ds.items.size });
							return;
						case 'is_scene':
							send(req, res, 200, { is_scene: ds.is_scene });
							return;
						case 'use_privacy_mode':
							send(req, res, 200, { use_privacy_mode: ds.use_privacy_mode });
							return;
						case 'datasetItems':
							send(req, res, 200, { dataset_items: store.ordered(ds).map(apiItem) });
							return;
					}
				}
				if (c === 'itemsPage' && segs.length === 3 && m === 'POST') {
					const body = await readJsonObject(req, rate);
					const size = body.pageSize ?? 100_000;
					if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 100_000) {
						throw new HttpError(400, '"pageSize" must be an integer between 1 and 100000');
					}
					let offset = 0;
					if (body.pageToken !== undefined && body.pageToken !== null && body.pageToken !== '') {
						const decoded = typeof body.pageToken === 'string' ? Buffer.from(body.pageToken, 'base64url').toString('utf8') : '';
						const mm = /^o:(\d+)$/.exec(decoded);
						if (!mm) throw new HttpError(400, 'Invalid "pageToken"');
						offset = Number(mm[1]);
					}
					const all = store.ordered(ds);
					const page = all.slice(offset, offset + size);
					const next = offset + size < all.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : null;
					send(req, res, 200, { items: page.map(apiItem), nextPageToken: next });
					return;
				}
				if (c === 'refloc' && segs.length >= 4) {
					const ref = segs.slice(3).join('/');
					if (m === 'GET') {
						const it = ds.items.get(ref);
						if (!it) throw new HttpError(404, `Item with reference_id "${ref}" not found in dataset ${ds.id}`);
						send(req, res, 200, { item: apiItem(it), annotations: {} });
						return;
					}
					if (m === 'DELETE') {
						if (!store.deleteItem(ds, ref)) throw new HttpError(404, `Item with reference_id "${ref}" not found in dataset ${ds.id}`);
						send(req, res, 200, { deleted: true, dataset_id: ds.id, reference_id: ref });
						return;
					}
				}
				if (c === 'signedUrl' && segs.length === 4 && m === 'GET') {
					send(req, res, 200, { signed_url: signedUrl(ds, segs[3]) });
					return;
				}
				if (c === 'append' && segs.length === 3 && m === 'POST') {
					await handleAppend(req, res, ds, query);
					return;
				}
			}
		}
		if (a === 'job' && b && m === 'GET') {
			const rec = job(b);
			if (segs.length === 2) {
				send(req, res, 200, jobs.statusBody(rec));
				return;
			}
			if (segs.length === 3 && c === 'errors') {
				send(req, res, 200, jobs.errorsBody(rec));
				return;
			}
			if (segs.length === 3 && c === 'info') {
				send(req, res, 200, jobs.infoBody(rec));
				return;
			}
		}
		if (a === 'jobs' && segs.length === 1 && m === 'POST') {
			const body = await readJsonObject(req, rate);
			send(req, res, 200, listJobsFiltered(body));
			return;
		}
		throw new HttpError(404, `No route for ${m} ${API_PREFIX}/${segs.join('/')}`);
	}

	function dayOf(v: unknown, name: string): string | undefined {
		if (v === undefined || v === null || v === '') return undefined;
		if (typeof v !== 'string') throw new HttpError(400, `"${name}" must be a date string (YYYY-MM-DD)`);
		if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
		const t = Date.parse(v);
		if (Number.isNaN(t)) throw new HttpError(400, `"${name}" is not a valid date: ${v}`);
		return new Date(t).toISOString().slice(0, 10);
	}

	function listJobsFiltered(body: Record<string, unknown>): unknown[] {
		const dsId = body.dataset_id;
		if (dsId !== undefined && dsId !== null && typeof dsId !== 'string') throw new HttpError(400, '"dataset_id" must be a string or null');
		const types = body.job_types ?? [];
		if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) throw new HttpError(400, '"job_types" must be a list of strings');
		const from = dayOf(body.from_date, 'from_date');
		const to = dayOf(body.to_date, 'to_date');
		const limit = body.limit ?? MAX_JOBS_LIMIT;
		if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_JOBS_LIMIT) {
			throw new HttpError(400, `"limit" must be an integer between 1 and ${MAX_JOBS_LIMIT}`);
		}
		const showCompleted = truthy(body.show_completed);
		const list = jobs
			.list()
			.filter((j) => {
				if (typeof dsId === 'string' && dsId !== '' && j.dataset_id !== dsId) return false;
				if (types.length > 0 && !types.includes(j.job_type)) return false;
				const day = j.job_creation_time.slice(0, 10);
				if (from && day < from) return false;
				if (to && day > to) return false;
				if (!showCompleted && j.status === 'Completed') return false;
				return true;
			})
			.sort((x, y) => (x.job_creation_time < y.job_creation_time ? 1 : x.job_creation_time > y.job_creation_time ? -1 : 0));
		return list.slice(0, limit).map((j) => jobs.infoBody(j));
	}

	// ---- control API --------------------------------------------------------------------------

	function faultsJson(): Record<string, unknown> {
		const f = faults.current;
		return { ...f, routes: f.routes ? f.routes.source : null };
	}

	async function handleControl(req: IncomingMessage, res: ServerResponse, segs: string[]): Promise<void> {
		const m = req.method ?? 'GET';
		const [a, b, c] = segs;
		if (a === 'faults' && segs.length === 1) {
			if (m === 'GET') return send(req, res, 200, faultsJson());
			if (m === 'DELETE') {
				faults.reset();
				return send(req, res, 200, faultsJson());
			}
			if (m === 'POST' || m === 'PUT') {
				const body = await readJsonObject(req, Infinity);
				try {
					faults.set(body as Partial<Faults>);
				} catch (e) {
					throw new HttpError(400, (e as Error).message);
				}
				return send(req, res, 200, faultsJson());
			}
		}
		if (a === 'stats' && segs.length === 1) {
			if (m === 'GET') return send(req, res, 200, api.stats());
			if (m === 'DELETE') {
				api.resetStats();
				return send(req, res, 200, api.stats());
			}
		}
		if (a === 'datasets') {
			if (segs.length === 1 && m === 'POST') {
				const body = await readJsonObject(req, Infinity, true);
				if (typeof body.name !== 'string' || body.name === '') throw new HttpError(400, '"name" must be a non-empty string');
				const id = api.createDataset(body.name, { usePrivacyMode: truthy(body.use_privacy_mode), isScene: truthy(body.is_scene) });
				return send(req, res, 200, { dataset_id: id, name: body.name });
			}
			if (segs.length === 1 && m === 'GET') {
				return send(
					req,
					res,
					200,
					[...store.datasets.values()].map((d) => ({ id: d.id, name: d.name, use_privacy_mode: d.use_privacy_mode, itemCount: d.items.size })),
				);
			}
			if (b && c === 'items' && m === 'GET') {
				const ds = dataset(b);
				if (segs.length === 3) return send(req, res, 200, store.ordered(ds));
				const it = ds.items.get(segs.slice(3).join('/'));
				if (!it) throw new HttpError(404, 'Item not found');
				return send(req, res, 200, it);
			}
		}
		if (a === 'outage' && segs.length === 1 && m === 'POST') {
			const body = await readJsonObject(req, Infinity, true);
			const ms = Number(body.ms);
			if (!Number.isFinite(ms) || ms <= 0) throw new HttpError(400, '"ms" must be a positive number');
			const mode = body.mode === 'reset' ? 'reset' : 'refuse';
			res.on('finish', () => void api.outage(ms, mode));
			return send(req, res, 200, { ok: true, ms, mode });
		}
		if (a === 'jobs') {
			if (segs.length === 1 && m === 'GET') return send(req, res, 200, jobs.list());
			if (b === 'hold' && segs.length === 2 && m === 'POST') {
				const body = await readJsonObject(req, Infinity, true);
				holdNewJobs = truthy(body.hold);
				return send(req, res, 200, { hold: holdNewJobs });
			}
			if (segs.length === 1 && m === 'POST') {
				const body = await readJsonObject(req, Infinity, true);
				const dsId = body.dataset_id;
				if (dsId !== undefined && dsId !== null && typeof dsId !== 'string') throw new HttpError(400, '"dataset_id" must be a string');
				if (body.items !== undefined && !Array.isArray(body.items)) throw new HttpError(400, '"items" must be a list');
				const rec = api.createJob((dsId as string | null | undefined) ?? null, body.items as unknown[] | undefined, {
					update: truthy(body.update),
					hold: truthy(body.hold),
					jobType: typeof body.job_type === 'string' ? body.job_type : undefined,
					createdAt: typeof body.created_at === 'string' ? body.created_at : undefined,
					status: typeof body.status === 'string' ? body.status : undefined,
				});
				return send(req, res, 200, { ...jobs.infoBody(rec), record: rec });
			}
			if (b) {
				const rec = job(b);
				if (segs.length === 2 && m === 'GET') return send(req, res, 200, rec);
				if (segs.length === 3 && m === 'POST') {
					if (c === 'start') {
						jobs.start(b);
						return send(req, res, 200, rec);
					}
					if (c === 'finish') return send(req, res, 200, await jobs.finish(b));
					if (c === 'status') {
						const body = await readJsonObject(req, Infinity, true);
						if (typeof body.status !== 'string') throw new HttpError(400, '"status" must be a string');
						const fe = typeof body.final_error === 'string' ? body.final_error : undefined;
						return send(req, res, 200, jobs.forceStatus(b, body.status, fe));
					}
				}
			}
		}
		throw new HttpError(404, `No control route for ${m} /__control/${segs.join('/')}`);
	}

	// ---- dispatcher ---------------------------------------------------------------------------

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const started = Date.now();
		const rawUrl = req.url ?? '/';
		const qIdx = rawUrl.indexOf('?');
		const rawPath = qIdx >= 0 ? rawUrl.slice(0, qIdx) : rawUrl;
		const query = new URLSearchParams(qIdx >= 0 ? rawUrl.slice(qIdx + 1) : '');
		const method = req.method ?? 'GET';
		let kind: 'api' | 'storage' | 'control' | 'other' = 'other';
		let rest = '';
		if (rawPath === API_PREFIX || rawPath.startsWith(API_PREFIX + '/')) {
			kind = 'api';
			rest = rawPath.slice(API_PREFIX.length);
		} else if (rawPath.startsWith('/__storage/')) {
			kind = 'storage';
			rest = rawPath.slice('/__storage'.length);
		} else if (rawPath.startsWith('/__control/')) {
			kind = 'control';
			rest = rawPath.slice('/__control'.length);
		}
		const rawSegs = rest.split('/').filter((s, i, arr) => !(s === '' && (i === 0 || i === arr.length - 1)));

		if (!quiet) {
			res.on('close', () => {
				log(`[nucleus-emulator] ${method} ${rawPath} -> ${res.headersSent ? res.statusCode : 'dropped'} ${Date.now() - started}ms`);
			});
		}
		try {
			const segs = rawSegs.map(decodeSegment);
			let key: string;
			if (kind === 'api') {
				stats.requests++;
				key = routeKey(method, segs);
				if (key === 'POST dataset/:id/append') stats.appendRequests++;
			} else if (kind === 'storage') {
				stats.storageRequests++;
				key = `${method} __storage`;
			} else if (kind === 'control') {
				stats.controlRequests++;
				key = `${method} __control/${segs[0] ?? ''}`;
			} else {
				key = `${method} other`;
			}
			if (kind !== 'control') {
				stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
				res.on('finish', () => countStatus(res.statusCode));
			}

			// 1. Faults, decided before anything is read or applied.
			if (kind !== 'other' && faults.active() && faults.applies(rawPath, kind === 'api')) {
				const d = faults.decide();
				if (d.slowMs > 0) {
					stats.faultsInjected.slow++;
					await sleep(d.slowMs);
				}
				if (d.kind === 'drop') {
					stats.faultsInjected.dropped++;
					req.socket.destroy();
					return;
				}
				if (d.kind === '429') {
					stats.faultsInjected.r429++;
					const ra = String(faults.current.retryAfterS);
					sendError(req, res, 429, 'Too many requests, please slow down', { 'retry-after': ra });
					return;
				}
				if (d.kind === '5xx') {
					stats.faultsInjected.r5xx++;
					const status = d.status ?? 503;
					if (d.plainText) {
						const text =
							status === 503
								? 'upstream connect error or disconnect/reset before headers. reset reason: connection termination'
								: 'upstream request timeout';
						send(req, res, status, text, { 'content-type': 'text/plain' });
					} else {
						sendError(req, res, status, status === 503 ? 'Service Unavailable' : 'Gateway Timeout');
					}
					return;
				}
			}

			if (kind === 'storage') {
				await sleep(settings.latencyMs);
				await handleStorage(req, res, rawSegs, query);
				return;
			}
			if (kind === 'other') throw new HttpError(404, `No route for ${method} ${rawPath}`);

			// 2. Auth.
			const user = authKey(req);
			if (user === undefined) {
				if (kind === 'api') stats.unauthorized++;
				sendError(req, res, 401, 'Unauthorized: invalid or missing API key', { 'www-authenticate': 'Basic realm="nucleus"' });
				return;
			}
			if (kind === 'control') {
				await handleControl(req, res, segs);
				return;
			}

			// 3. In-flight limit per key (realistic profile).
			const inFlight = inFlightByKey.get(user) ?? 0;
			if (inFlight >= settings.maxInFlightPerKey) {
				stats.limited429++;
				sendError(req, res, 429, `Too many concurrent requests for this API key (limit ${settings.maxInFlightPerKey})`, {
					'retry-after': String(REALISTIC_RETRY_AFTER_S),
				});
				return;
			}
			inFlightByKey.set(user, inFlight + 1);
			stats.inFlight++;
			if (stats.inFlight > stats.inFlightPeak) stats.inFlightPeak = stats.inFlight;
			let released = false;
			const release = (): void => {
				if (released) return;
				released = true;
				inFlightByKey.set(user, (inFlightByKey.get(user) ?? 1) - 1);
				stats.inFlight--;
			};
			res.on('close', release);
			// 4. Latency, then the handler.
			await sleep(settings.latencyMs);
			await handleApi(req, res, segs, query);
		} catch (e) {
			if (lifetime.signal.aborted) return;
			if (e instanceof HttpError) {
				sendError(req, res, e.status, e.message, e.headers);
			} else if (req.destroyed || res.destroyed) {
				return;
			} else {
				sendError(req, res, 500, `Internal emulator error: ${(e as Error).message}`);
			}
		}
	}

	const sockets = new Set<Socket>();
	const server = http.createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 10_000 }, (req, res) => {
		void handle(req, res);
	});
	server.on('connection', (s: Socket) => {
		if (resetMode) {
			s.destroy();
			return;
		}
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	server.on('clientError', (_err, socket) => {
		if (!socket.destroyed) socket.destroy();
	});

	function listen(): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			const onError = (e: Error): void => {
				server.off('listening', onListening);
				reject(e);
			};
			const onListening = (): void => {
				server.off('error', onError);
				resolve();
			};
			server.once('error', onError);
			server.once('listening', onListening);
			server.listen(port, host);
		});
	}

	function dropAllConnections(): void {
		server.closeAllConnections();
		for (const s of sockets) s.destroy();
		sockets.clear();
	}

	await listen();
	port = (server.address() as AddressInfo).port;
	origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

	const api: Emulator = {
		baseUrl: `${origin}${API_PREFIX}`,
		origin,
		apiKey,
		port,
		settings,
		jobSpeed,
		async close() {
			if (closed) return;
			closed = true;
			lifetime.abort();
			jobs.stopAll();
			if (outageTimer) clearTimeout(outageTimer);
			outageDone?.();
			await new Promise<void>((resolve) => {
				if (!server.listening) {
					resolve();
					return;
				}
				server.close(() => resolve());
				dropAllConnections();
			});
			dropAllConnections();
			if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
		},
		setFaults(f) {
			faults.set(f);
		},
		resetFaults() {
			faults.reset();
		},
		faults() {
			return faults.current;
		},
		stats() {
			return JSON.parse(JSON.stringify(stats)) as EmulatorStats;
		},
		resetStats() {
			const inFlight = stats.inFlight;
			stats = emptyStats();
			stats.inFlight = inFlight;
		},
		createDataset(name, o = {}) {
			return store.createDataset(name, o).id;
		},
		getItem(datasetId, referenceId) {
			return store.get(datasetId)?.items.get(referenceId);
		},
		listItems(datasetId) {
			const ds = store.get(datasetId);
			return ds ? [...store.ordered(ds)] : [];
		},
		itemCount(datasetId) {
			return store.get(datasetId)?.items.size ?? 0;
		},
		getJob(jobId) {
			const rec = jobs.get(jobId);
			return rec ? snapshotJob(rec) : undefined;
		},
		listJobs() {
			return jobs.list().map(snapshotJob);
		},
		createJob(datasetId, items, o = {}) {
			let createdAt: Date | undefined;
			if (o.createdAt !== undefined) {
				createdAt = o.createdAt instanceof Date ? o.createdAt : new Date(o.createdAt);
				if (Number.isNaN(createdAt.getTime())) throw new HttpError(400, 'created_at is not a valid date');
			}
			if (o.status !== undefined && o.status !== 'Queued' && o.status !== 'Running' && !FINAL_STATUSES.has(o.status)) {
				throw new HttpError(400, `Unknown job status "${o.status}"`);
			}
			stats.jobsCreated++;
			const rec = jobs.create({
				datasetId,
				update: o.update === true,
				source: { items: items ?? [] },
				jobType: o.jobType,
				hold: o.hold,
				createdAt,
				status: o.status,
			});
			return snapshotJob(rec);
		},
		startJob(jobId) {
			return jobs.start(jobId);
		},
		setHoldNewJobs(hold) {
			holdNewJobs = hold;
		},
		async finishJob(jobId) {
			const rec = await jobs.finish(jobId);
			return rec ? snapshotJob(rec) : undefined;
		},
		async waitForJob(jobId) {
			const rec = await jobs.waitFor(jobId);
			return rec ? snapshotJob(rec) : undefined;
		},
		setJobStatus(jobId, status, finalError) {
			const rec = jobs.forceStatus(jobId, status, finalError);
			return rec ? snapshotJob(rec) : undefined;
		},
		outage(ms, mode = 'refuse') {
			if (closed) return Promise.resolve();
			if (outageTimer) {
				clearTimeout(outageTimer);
				outageDone?.();
			}
			return new Promise<void>((resolve) => {
				outageDone = () => {
					outageDone = undefined;
					outageTimer = undefined;
					resolve();
				};
				if (mode === 'reset') {
					resetMode = true;
					dropAllConnections();
					outageTimer = setTimeout(() => {
						resetMode = false;
						outageDone?.();
					}, ms);
					return;
				}
				if (server.listening) server.close();
				dropAllConnections();
				const relisten = (): void => {
					if (closed) {
						outageDone?.();
						return;
					}
					listen().then(
						() => outageDone?.(),
						() => {
							outageTimer = setTimeout(relisten, 50);
						},
					);
				};
				outageTimer = setTimeout(relisten, ms);
			});
		},
	};
	return api;
}

export { DEFAULT_FAULTS };
