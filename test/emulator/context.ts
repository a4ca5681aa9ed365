/**
 * The shared state of one emulator instance, handed to every route module (instead of a closure):
 * store, jobs, stats, profile settings, runtime config and presigned-storage state, plus the few
 * helpers every handler needs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { HttpError, meteredBody, readJsonObject } from './http';
import type { JobManager, JobRecord } from './jobs';
import {
	APPEND_FORMS,
	PARTIAL_FAILURE_STATUSES,
	SYNC_APPEND_MODES,
	type AppendForm,
	type ProfileSettings,
} from './rules';
import type { StorageState } from './storage';
import type { Dataset, Store } from './store';
import type { EmulatorConfig, EmulatorStats } from './types';

export interface EmuContext {
	readonly store: Store;
	readonly jobs: JobManager;
	/** Replaced by resetStats: always read it through the context. */
	stats: EmulatorStats;
	readonly settings: Readonly<ProfileSettings>;
	/** Runtime settings, changed in place by setConfig / the control API. */
	readonly config: EmulatorConfig;
	readonly storage: StorageState;
	readonly signedUrlTtlMs: number;
	readonly storageAllowChunked: boolean;
	/** http://host:port, set once the server listens. */
	origin: string;
	/** A temporary folder for uploads, created on first use. */
	tmp(): string;
}

/** One matched API request as a route handler gets it. */
export interface RouteCall {
	req: IncomingMessage;
	res: ServerResponse;
	/** Decoded path parameters (`:id`, `*ref`). */
	params: Record<string, string>;
	query: URLSearchParams;
}

export interface Route {
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	/** Relative to /v1/nucleus; `:name` matches one segment, a final `*name` the rest (joined by "/"). */
	path: string;
	handle(ctx: EmuContext, call: RouteCall): Promise<void> | void;
}

export function emptyStats(): EmulatorStats {
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
		appendRequestsByForm: Object.fromEntries(APPEND_FORMS.map((f) => [f, 0])) as Record<
			AppendForm,
			number
		>,
		appendItemsReceived: 0,
		imagesReceived: 0,
		bytesReceived: 0,
		storagePuts: 0,
		jobsCreated: 0,
	};
}

/** The request body, counted in stats.bytesReceived and read at the profile's upload rate. */
export function requestBody(
	ctx: EmuContext,
	req: IncomingMessage,
	rate = ctx.settings.uploadBytesPerSec,
): Readable {
	return meteredBody(req, rate, (n) => (ctx.stats.bytesReceived += n));
}

/** A JSON object body (an empty body is `{}` unless `required`). */
export function readBody(
	ctx: EmuContext,
	req: IncomingMessage,
	opts: { required?: boolean; unthrottled?: boolean } = {},
): Promise<Record<string, unknown>> {
	const body = requestBody(ctx, req, opts.unthrottled ? Infinity : undefined);
	return readJsonObject(body, opts.required === true);
}

export function findDataset(ctx: EmuContext, id: string): Dataset {
	const ds = ctx.store.get(id);
	if (!ds) throw new HttpError(404, `Dataset ${id} not found`);
	return ds;
}

export function findJob(ctx: EmuContext, id: string): JobRecord {
	const rec = ctx.jobs.get(id);
	if (!rec) throw new HttpError(404, `Job ${id} not found`);
	return rec;
}

/** Validate a partial config (from options, code or the control API's JSON); throws on bad input. */
export function checkConfig(c: unknown): Partial<EmulatorConfig> {
	if (typeof c !== 'object' || c === null || Array.isArray(c)) {
		throw new Error('config must be an object');
	}
	const out: Partial<EmulatorConfig> = {};
	for (const [k, v] of Object.entries(c)) {
		if (v === undefined) continue;
		if (k === 'syncAppend') {
			if (!(SYNC_APPEND_MODES as readonly unknown[]).includes(v)) {
				throw new Error(`syncAppend must be one of ${SYNC_APPEND_MODES.join(', ')}`);
			}
			out.syncAppend = v as EmulatorConfig['syncAppend'];
		} else if (k === 'partialFailureStatus') {
			if (!(PARTIAL_FAILURE_STATUSES as readonly unknown[]).includes(v)) {
				throw new Error(
					`partialFailureStatus must be one of ${PARTIAL_FAILURE_STATUSES.join(', ')}`,
				);
			}
			out.partialFailureStatus = v as EmulatorConfig['partialFailureStatus'];
		} else if (k === 'holdNewJobs') {
			if (typeof v !== 'boolean') throw new Error('holdNewJobs must be a boolean');
			out.holdNewJobs = v;
		} else {
			throw new Error(
				`unknown config key "${k}" (known: syncAppend, partialFailureStatus, holdNewJobs)`,
			);
		}
	}
	return out;
}
