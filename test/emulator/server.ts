/**
 * Nucleus-compatible HTTP server for tests, the demo and benchmarks (node:http, no framework): it
 * listens, orders each request's checks and dispatches to the route modules. What the routes do:
 *   ./routes/datasets.ts   datasets and items            ./routes/append.ts   every append wire form
 *   ./routes/jobs.ts       job status, errors, list      ./storage.ts         presigned PUT target
 *   ./routes/items.ts      metadata updates, iloc
 *   ./control.ts           test control API              ./rules.ts           the behaviour rules
 * Shared state travels in an EmuContext (./context.ts).
 *
 * Layout of URLs on one port:
 *   <origin>/v1/nucleus/...   the API (Basic auth: username = API key, password ignored; Scale docs "Authentication")
 *   <origin>/__storage/...    presigned "S3" PUT target (no auth; an Authorization header is a 400 like S3;
 *                             chunked transfer encoding is a 501 like S3, so send Content-Length)
 *   <origin>/__control/...    test control API (same Basic auth), never faulted unless `routes` matches it
 *
 * Request order for API routes: fault decision (slow delay, then 429/5xx/drop) -> auth (401) ->
 * in-flight limit (realistic: 429 + Retry-After: 1) -> profile latency -> handler (body read at the
 * profile's upload rate). Nothing is read or applied before the fault decision.
 *
 * Over ~350 lines because startEmulator is one closure over the server's state (listening, that
 * request order, the in-flight count, the request log, shutdown); the routes, rules, jobs, storage
 * and faults it calls are already files of their own.
 */
import { timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { checkConfig, emptyStats, type EmuContext } from './context';
import { controlRoutes } from './control';
import { DEFAULT_FAULTS, FaultInjector } from './faults';
import { HttpError, decodeSegment, send, sendError } from './http';
import { FINAL_STATUSES, JobManager, type JobRecord } from './jobs';
import { RemoteImageReader } from './remoteImages';
import { Router } from './router';
import { appendRoutes } from './routes/append';
import { datasetRoutes } from './routes/datasets';
import { itemRoutes } from './routes/items';
import { jobRoutes } from './routes/jobs';
import {
	API_PREFIX,
	DEFAULT_API_KEY,
	DEFAULT_PARTIAL_FAILURE_STATUS,
	DEFAULT_SYNC_APPEND,
	PROFILES,
	REALISTIC_RETRY_AFTER_S,
	SIGNED_URL_TTL_MS,
	type ProfileSettings,
} from './rules';
import { createStorageState, handleStorage } from './storage';
import { Store } from './store';
import type { Emulator, EmulatorConfig, EmulatorOptions, EmulatorStats } from './types';

export type { Faults } from './faults';
export type { JobRecord, JobHistoryEntry } from './jobs';
export type { StoredItem } from './store';
export type { Emulator, EmulatorConfig, EmulatorOptions, EmulatorStats } from './types';

/** The API, in matching order (literal paths before `:id`). */
const apiRouter = new Router([...datasetRoutes, ...appendRoutes, ...itemRoutes, ...jobRoutes]);

function snapshotJob(rec: JobRecord): JobRecord {
	return { ...rec, errors: [...rec.errors], history: rec.history.map((h) => ({ ...h })) };
}

/** Start the emulator; see the `Emulator` interface (./types.ts). */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
	const apiKey = opts.apiKey ?? DEFAULT_API_KEY;
	const host = opts.host ?? '127.0.0.1';
	const profileName = opts.profile ?? 'fast';
	if (!PROFILES[profileName]) throw new Error(`Unknown profile "${profileName}"`);
	const settings: ProfileSettings = { ...PROFILES[profileName], ...(opts.overrides ?? {}) };
	const jobSpeed = opts.jobSpeed ?? 1;
	if (!(jobSpeed > 0) || !Number.isFinite(jobSpeed))
		throw new Error('jobSpeed must be a positive number');
	const quiet = opts.quiet ?? true;
	const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
	const config: EmulatorConfig = {
		syncAppend: DEFAULT_SYNC_APPEND,
		partialFailureStatus: DEFAULT_PARTIAL_FAILURE_STATUS,
		holdNewJobs: false,
		...checkConfig({
			syncAppend: opts.syncAppend,
			partialFailureStatus: opts.partialFailureStatus,
			holdNewJobs: opts.holdNewJobs === undefined ? undefined : opts.holdNewJobs === true,
		}),
	};

	const lifetime = new AbortController();
	setMaxListeners(0, lifetime.signal);
	const store = new Store();
	const jobs = new JobManager(
		store,
		{
			queueDelayMs: () => settings.jobQueueDelayMs / jobSpeed,
			ingestPerSec: () => settings.ingestItemsPerSec * jobSpeed,
			imagesPerSec: () => settings.jobItemsPerSec * jobSpeed,
			partialFailureStatus: () => config.partialFailureStatus,
		},
		lifetime.signal,
		opts.s3Endpoint ? new RemoteImageReader(opts.s3Endpoint) : undefined,
	);
	const faults = new FaultInjector();
	if (opts.faults) faults.set(opts.faults);
	let tmpDir: string | undefined;
	const ctx: EmuContext = {
		store,
		jobs,
		stats: emptyStats(),
		settings,
		config,
		storage: createStorageState(),
		signedUrlTtlMs: opts.signedUrlTtlMs ?? SIGNED_URL_TTL_MS,
		storageAllowChunked: opts.storageAllowChunked === true,
		origin: '',
		tmp: () => (tmpDir ??= mkdtempSync(join(tmpdir(), 'nucleus-emulator-'))),
	};
	const inFlightByKey = new Map<string, number>();

	let port = opts.port ?? 0;
	let closed = false;
	let resetMode = false;
	let outageTimer: NodeJS.Timeout | undefined;
	let outageDone: (() => void) | undefined;

	const sleep = (ms: number): Promise<void> =>
		ms > 0 ? sleepTimer(ms, undefined, { signal: lifetime.signal }) : Promise.resolve();

	/** Returns the key the request authenticates with, or undefined. Password is ignored (Scale docs "Authentication"). */
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

	// ---- dispatcher ---------------------------------------------------------------------------

	// Assigned once, below, when the Emulator object the control routes act on exists.
	// eslint-disable-next-line prefer-const
	let controlRouter: Router;

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
		const rawSegs = rest
			.split('/')
			.filter((s, i, arr) => !(s === '' && (i === 0 || i === arr.length - 1)));

		if (!quiet) {
			res.on('close', () => {
				log(
					`[nucleus-emulator] ${method} ${rawPath} -> ${res.headersSent ? res.statusCode : 'dropped'} ${Date.now() - started}ms`,
				);
			});
		}
		try {
			const segs = rawSegs.map(decodeSegment);
			const match = kind === 'api' ? apiRouter.match(method, segs) : undefined;
			let key: string;
			if (kind === 'api') {
				ctx.stats.requests++;
				key = match!.key;
				if (key === 'POST dataset/:id/append') ctx.stats.appendRequests++;
			} else if (kind === 'storage') {
				ctx.stats.storageRequests++;
				key = `${method} __storage`;
			} else if (kind === 'control') {
				ctx.stats.controlRequests++;
				key = `${method} __control/${segs[0] ?? ''}`;
			} else {
				key = `${method} other`;
			}
			if (kind !== 'control') {
				ctx.stats.byRoute[key] = (ctx.stats.byRoute[key] ?? 0) + 1;
				res.on('finish', () => {
					const s = ctx.stats;
					s.byStatus[res.statusCode] = (s.byStatus[res.statusCode] ?? 0) + 1;
				});
			}

			// 1. Faults, decided before anything is read or applied.
			if (kind !== 'other' && faults.active() && faults.applies(rawPath, kind === 'api')) {
				const d = faults.decide();
				if (d.slowMs > 0) {
					ctx.stats.faultsInjected.slow++;
					await sleep(d.slowMs);
				}
				if (d.kind === 'drop') {
					ctx.stats.faultsInjected.dropped++;
					req.socket.destroy();
					return;
				}
				if (d.kind === '429') {
					ctx.stats.faultsInjected.r429++;
					const ra = String(faults.current.retryAfterS);
					sendError(req, res, 429, 'Too many requests, please slow down', { 'retry-after': ra });
					return;
				}
				if (d.kind === '5xx') {
					ctx.stats.faultsInjected.r5xx++;
					const status = d.status ?? 503;
					if (d.plainText) {
						// Proxy-style texts the SDK recognises as infrastructure flakes
						// (INFRA_FLAKE_MESSAGES in the Python SDK's `nucleus/errors.py`).
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
				await handleStorage(ctx, req, res, rawSegs, query);
				return;
			}
			if (kind === 'other') throw new HttpError(404, `No route for ${method} ${rawPath}`);

			// 2. Auth.
			const user = authKey(req);
			if (user === undefined) {
				if (kind === 'api') ctx.stats.unauthorized++;
				sendError(req, res, 401, 'Unauthorized: invalid or missing API key', {
					'www-authenticate': 'Basic realm="nucleus"',
				});
				return;
			}
			if (kind === 'control') {
				const c = controlRouter.match(method, segs);
				if (!c.route)
					throw new HttpError(404, `No control route for ${method} /__control/${segs.join('/')}`);
				await c.route.handle(ctx, { req, res, params: c.params, query });
				return;
			}

			// 3. In-flight limit per key (realistic profile).
			const inFlight = inFlightByKey.get(user) ?? 0;
			if (inFlight >= settings.maxInFlightPerKey) {
				ctx.stats.limited429++;
				sendError(
					req,
					res,
					429,
					`Too many concurrent requests for this API key (limit ${settings.maxInFlightPerKey})`,
					{ 'retry-after': String(REALISTIC_RETRY_AFTER_S) },
				);
				return;
			}
			inFlightByKey.set(user, inFlight + 1);
			ctx.stats.inFlight++;
			if (ctx.stats.inFlight > ctx.stats.inFlightPeak) ctx.stats.inFlightPeak = ctx.stats.inFlight;
			let released = false;
			const release = (): void => {
				if (released) return;
				released = true;
				inFlightByKey.set(user, (inFlightByKey.get(user) ?? 1) - 1);
				ctx.stats.inFlight--;
			};
			res.on('close', release);
			// 4. Latency, then the handler.
			await sleep(settings.latencyMs);
			if (!match!.route)
				throw new HttpError(404, `No route for ${method} ${API_PREFIX}/${segs.join('/')}`);
			await match!.route.handle(ctx, { req, res, params: match!.params, query });
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

	// ---- listening, outages -------------------------------------------------------------------

	const sockets = new Set<Socket>();
	const server = http.createServer(
		{ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 10_000 },
		(req, res) => {
			void handle(req, res);
		},
	);
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
	const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	ctx.origin = origin;

	// ---- the Emulator object ------------------------------------------------------------------

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
			return JSON.parse(JSON.stringify(ctx.stats)) as EmulatorStats;
		},
		resetStats() {
			const inFlight = ctx.stats.inFlight;
			ctx.stats = emptyStats();
			ctx.stats.inFlight = inFlight;
		},
		config() {
			return { ...config };
		},
		setConfig(c) {
			Object.assign(config, checkConfig(c));
			return { ...config };
		},
		setSyncAppend(mode) {
			api.setConfig({ syncAppend: mode });
		},
		setPartialFailureStatus(status) {
			api.setConfig({ partialFailureStatus: status });
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
				if (Number.isNaN(createdAt.getTime()))
					throw new HttpError(400, 'created_at is not a valid date');
			}
			if (
				o.status !== undefined &&
				o.status !== 'Queued' &&
				o.status !== 'Running' &&
				!FINAL_STATUSES.has(o.status)
			) {
				throw new HttpError(400, `Unknown job status "${o.status}"`);
			}
			ctx.stats.jobsCreated++;
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
			config.holdNewJobs = hold;
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
	controlRouter = new Router(controlRoutes(api, faults));
	return api;
}

export { DEFAULT_FAULTS };
