/**
 * The trigger's cursor as stored in the workflow's static data (node scope): its format, reading and
 * writing. Users' workflows hold this JSON between polls and across upgrades, so the format is
 * versioned (`v`) and must stay byte-compatible: a change of a key, of the scope fingerprint or of
 * the caps below re-initialises or corrupts every active trigger. A key added later (`forgotten`) is
 * optional and left out while empty: a cursor that does not need it is written byte for byte as
 * before, and a version that does not know the key reads the rest (so `v` stays 1; a change that an
 * older reader would misread needs a new `v`). What a poll does with the state is decided in
 * decide.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import type { WatchMode } from './parameters';

export const STATE_VERSION = 1;

/** Final-status records kept; older ones are represented by `floor`. ~70 bytes each. */
export const MAX_EMITTED = 1000;

/** Non-final jobs tracked; beyond this the oldest are forgotten. ~55 bytes each. */
export const MAX_PENDING = 1000;

/** Fingerprints kept in `forgotten`; beyond this the oldest are dropped. 8 bytes each. */
export const MAX_FORGOTTEN = 10_000;

/** Persisted trigger state (workflow static data, node scope). JSON only; dates are ISO strings. */
export interface TriggerState {
	v: typeof STATE_VERSION;
	/** Hash of what is watched (mode, dataset, job types or job ids); a change re-initialises the trigger. */
	scope: string;
	/** When this scope was first polled in trigger mode. */
	initializedAt: string;
	/** Start of the last successful trigger-mode poll; the next listing reaches back from here. */
	lastPollAt: string;
	/** Final jobs created at or before this time and unknown to the state count as handled. */
	floor: string | null;
	/** job_id → [last recorded final status, job creation time ISO or '']. */
	emitted: Record<string, [string, string]>;
	/** job_id → creation time ISO or '' — jobs last seen Queued/Running. */
	pending: Record<string, string>;
	/** job_id → last emitted progress (0..1), only with "Emit Progress". */
	progress: Record<string, number>;
	/**
	 * Final jobs of unknown creation time evicted from `emitted` (the floor cannot cover them): the
	 * 8-hex fingerprints of `job_id|status`, oldest first, in one string. Absent when empty.
	 */
	forgotten?: string;
}

/** 32-bit FNV-1a as 8 hex digits: a short, stable fingerprint for the watched scope. */
export function fingerprint(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16).padStart(8, '0');
}

/** The fingerprint under which a final job is kept in `forgotten`: a new final status is not forgotten. */
function forgottenKey(jobId: string, status: string): string {
	return fingerprint(`${jobId}|${status}`);
}

/** Whether this job was recorded in this final status and then evicted with an unknown creation time. */
export function isForgotten(state: TriggerState, jobId: string, status: string): boolean {
	const list = state.forgotten;
	if (!list) return false;
	const key = forgottenKey(jobId, status);
	for (let at = list.indexOf(key); at !== -1; at = list.indexOf(key, at + 1)) {
		if (at % 8 === 0) return true;
	}
	return false;
}

/** Remembers an evicted record of unknown creation time; the oldest fingerprints go beyond MAX_FORGOTTEN. */
export function forget(state: TriggerState, jobId: string, status: string): void {
	const list = (state.forgotten ?? '') + forgottenKey(jobId, status);
	state.forgotten =
		list.length > MAX_FORGOTTEN * 8 ? list.slice(list.length - MAX_FORGOTTEN * 8) : list;
}

/** Scope fingerprint: what the trigger watches. Changing it re-initialises the cursor. */
export function scopeKey(
	watch: WatchMode,
	opts: { datasetId?: string | null; jobTypes?: readonly string[]; jobIds?: readonly string[] },
): string {
	if (watch === 'jobIds') {
		return fingerprint(`jobIds|${[...new Set(opts.jobIds ?? [])].sort().join(',')}`);
	}
	const types = [...new Set(opts.jobTypes ?? [])].sort().join(',');
	const dataset = watch === 'dataset' ? (opts.datasetId ?? '') : '';
	return fingerprint(`${watch}|${dataset}|${types}`);
}

export function emptyState(scope: string, nowIso: string): TriggerState {
	return {
		v: STATE_VERSION,
		scope,
		initializedAt: nowIso,
		lastPollAt: nowIso,
		floor: null,
		emitted: {},
		pending: {},
		progress: {},
	};
}

function isRecord(x: unknown): x is Record<string, unknown> {
	return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Reads the state from workflow static data. Returns a plain deep copy (static data may be a proxy),
 * or undefined when there is none or it is not a state this version understands.
 */
export function readState(raw: IDataObject | undefined): TriggerState | undefined {
	if (!raw || !isRecord(raw)) return undefined;
	let copy: unknown;
	try {
		copy = JSON.parse(JSON.stringify(raw));
	} catch {
		return undefined;
	}
	if (!isRecord(copy) || copy.v !== STATE_VERSION) return undefined;
	if (typeof copy.scope !== 'string' || typeof copy.initializedAt !== 'string') return undefined;
	const emitted: TriggerState['emitted'] = {};
	if (isRecord(copy.emitted)) {
		for (const [id, entry] of Object.entries(copy.emitted)) {
			if (Array.isArray(entry) && typeof entry[0] === 'string') {
				emitted[id] = [entry[0], typeof entry[1] === 'string' ? entry[1] : ''];
			}
		}
	}
	const pending: TriggerState['pending'] = {};
	if (isRecord(copy.pending)) {
		for (const [id, created] of Object.entries(copy.pending)) {
			pending[id] = typeof created === 'string' ? created : '';
		}
	}
	const progress: TriggerState['progress'] = {};
	if (isRecord(copy.progress)) {
		for (const [id, p] of Object.entries(copy.progress)) {
			if (typeof p === 'number' && Number.isFinite(p)) progress[id] = p;
		}
	}
	const state: TriggerState = {
		v: STATE_VERSION,
		scope: copy.scope,
		initializedAt: copy.initializedAt,
		lastPollAt: typeof copy.lastPollAt === 'string' ? copy.lastPollAt : copy.initializedAt,
		floor: typeof copy.floor === 'string' ? copy.floor : null,
		emitted,
		pending,
		progress,
	};
	const forgotten = copy.forgotten;
	if (typeof forgotten === 'string' && forgotten && /^(?:[0-9a-f]{8})+$/.test(forgotten)) {
		state.forgotten = forgotten.slice(-MAX_FORGOTTEN * 8);
	}
	return state;
}

/**
 * Replaces the content of the static-data object in place with `state` (n8n tracks changes on that
 * object, so it must be mutated, not swapped). Keys of older formats are removed.
 */
export function writeState(target: IDataObject, state: TriggerState): void {
	const plain = JSON.parse(JSON.stringify(state)) as IDataObject;
	for (const key of Object.keys(target)) {
		if (!(key in plain)) delete target[key];
	}
	for (const [key, value] of Object.entries(plain)) {
		target[key] = value;
	}
}
