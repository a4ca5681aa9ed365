/**
 * The trigger's decisions: pure functions over the stored state (state.ts), no I/O.
 *
 * How a poll uses them (poll.ts):
 * 1. `beginPoll` reads the previous state (or none) and says whether this poll initialises the
 *    trigger and which `from_date` the `POST jobs/` listing uses.
 * 2. The node lists jobs (or GETs the given job ids) and turns them into `JobObservation`s
 *    (shared/jobs/observation.ts); jobs it saw running earlier that the listing no longer shows
 *    (`missingPendingJobs`) are fetched one by one.
 * 3. `decide` says per job what to do; the node fetches details (`GET job/{id}`, errors) only for the
 *    jobs that need them (`needsDetails`).
 * 4. `applyPoll` computes the next state and the events to emit. The node writes that state into the
 *    workflow static data only after every request of the poll succeeded (`writeState`), so a failed
 *    poll changes nothing and the next poll finds the same jobs again.
 *
 * Dedup rules. A job is emitted once per final status: `emitted[job_id]` holds the last final status
 * recorded for it. Because `POST jobs/` filters on creation *days*, consecutive listings overlap; a job
 * already recorded in the same status is skipped. To keep the state small, the oldest records (by job
 * creation time) are evicted beyond `MAX_EMITTED` or once they are older than the listing window; the
 * `floor` then rises to the newest evicted creation time, and a final job created at or before the floor
 * that the state does not know is treated as already handled (it was seen when it was recorded).
 * Records of unknown creation time (the floor cannot cover them) are evicted last, and then leave
 * their fingerprint in `forgotten`, so an old job is not emitted again once the record is full.
 * Jobs seen Queued/Running are kept in `pending`, so they are still emitted when they finish even if
 * they are older than the floor or have left the listing window.
 */
import { createdMs as ms, dayString, DAY_MS, sortByCreation } from '../shared/jobs/list';
import type { JobObservation } from '../shared/jobs/observation';
import { isErrorStatus, isFinalStatus, isSuccessStatus } from '../shared/jobs/status';
import type { EmitOnValue } from './parameters';
import {
	emptyState,
	forget,
	isForgotten,
	MAX_EMITTED,
	MAX_PENDING,
	STATE_VERSION,
	type TriggerState,
} from './state';

/** However long polls failed, the listing never reaches back further than this (plus the lookback). */
export const MAX_CATCH_UP_DAYS = 31;

/** Records this much older than the listing's `from_date` are pruned (the server's day may be in another time zone). */
const PRUNE_MARGIN_MS = 24 * 60 * 60 * 1000;

export interface PollSettings {
	scope: string;
	emitOn: readonly EmitOnValue[];
	emitProgress: boolean;
	emitHistory: boolean;
	lookbackDays: number;
	/** True when jobs come from the dated `POST jobs/` listing (records older than its window are pruned). */
	windowed: boolean;
	/** "Specific Job IDs": the ids watched; records of other jobs are dropped. */
	watchedIds?: readonly string[];
}

export type Decision =
	/** Already handled: nothing to do. */
	| 'skip'
	/** Final, recorded without emitting (first poll, or a status not chosen in Emit On). */
	| 'mark'
	/** Final and to be emitted. */
	| 'emit'
	/** Not final: track it. */
	| 'track'
	/** Not final and its progress changed: track it and emit a progress event. */
	| 'progress';

export interface PollEvent {
	kind: 'final' | 'progress';
	job: JobObservation;
}

export interface PollStart {
	/** True on the first trigger-mode poll of this scope: finished jobs are recorded, not emitted (unless Emit History). */
	init: boolean;
	/** The state this poll starts from (fresh on init; pending/progress dropped when the scope changed). */
	base: TriggerState;
	/** `from_date` for `POST jobs/` (YYYY-MM-DD, UTC). */
	fromDate: string;
	/** Start time of this poll (ISO); becomes `lastPollAt` when the poll succeeds. */
	startedAt: string;
}

/**
 * Which Emit On choice a status belongs to; undefined for non-final statuses (Queued, Running,
 * Started, Retried, …). Same classification as the action node (shared/jobs/status.ts).
 */
export function emitCategory(status: string): EmitOnValue | undefined {
	if (!isFinalStatus(status)) return undefined;
	if (isSuccessStatus(status)) return 'completed';
	if (isErrorStatus(status)) return 'erroredAny';
	return 'cancelled';
}

export function isFinal(status: string): boolean {
	return emitCategory(status) !== undefined;
}

/** `from_date` (YYYY-MM-DD, UTC) for the listing: last successful poll (or now) minus the lookback, bounded. */
export function listingFromDate(
	now: Date,
	lastPollAt: string | undefined,
	lookbackDays: number,
): string {
	const lookback = Math.max(0, Math.floor(Number.isFinite(lookbackDays) ? lookbackDays : 0));
	const nowMs = now.getTime();
	const last = ms(lastPollAt);
	const base = last !== undefined && last < nowMs ? last : nowMs;
	const earliest = nowMs - (lookback + MAX_CATCH_UP_DAYS) * DAY_MS;
	const from = Math.max(base - lookback * DAY_MS, earliest);
	return dayString(from);
}

export function beginPoll(
	previous: TriggerState | undefined,
	settings: Pick<PollSettings, 'scope' | 'lookbackDays'>,
	now: Date,
): PollStart {
	const startedAt = now.toISOString();
	if (!previous) {
		return {
			init: true,
			base: emptyState(settings.scope, startedAt),
			fromDate: listingFromDate(now, undefined, settings.lookbackDays),
			startedAt,
		};
	}
	if (previous.scope !== settings.scope) {
		// What is watched changed: start over, but remember what was already emitted so that no job is
		// emitted twice. Jobs tracked for the old scope are dropped (they may not belong to the new one).
		const base: TriggerState = {
			...emptyState(settings.scope, startedAt),
			floor: previous.floor,
			emitted: { ...previous.emitted },
		};
		if (previous.forgotten) base.forgotten = previous.forgotten;
		return {
			init: true,
			base,
			fromDate: listingFromDate(now, undefined, settings.lookbackDays),
			startedAt,
		};
	}
	return {
		init: false,
		base: previous,
		fromDate: listingFromDate(now, previous.lastPollAt, settings.lookbackDays),
		startedAt,
	};
}

/** Jobs seen running earlier that this poll's listing does not show (left the window, or deleted): fetch them one by one. */
export function missingPendingJobs(state: TriggerState, observed: Iterable<string>): string[] {
	const seen = new Set(observed);
	return Object.keys(state.pending).filter((id) => !seen.has(id));
}

function belowFloor(created: string | null, floor: string | null): boolean {
	const c = ms(created);
	const f = ms(floor);
	return c !== undefined && f !== undefined && c <= f;
}

/** What to do with one job this poll. `job.status` must be the best status known (GET job/{id} when fetched). */
export function decide(
	state: TriggerState,
	init: boolean,
	job: JobObservation,
	settings: Pick<PollSettings, 'emitOn' | 'emitProgress' | 'emitHistory'>,
): Decision {
	const category = emitCategory(job.status);
	if (category) {
		const recorded = state.emitted[job.job_id];
		if (recorded && recorded[0] === job.status) return 'skip';
		if (
			!recorded &&
			!(job.job_id in state.pending) &&
			(belowFloor(job.created_at, state.floor) || isForgotten(state, job.job_id, job.status))
		) {
			return 'skip';
		}
		if (init && !settings.emitHistory) return 'mark';
		return settings.emitOn.includes(category) ? 'emit' : 'mark';
	}
	if (
		settings.emitProgress &&
		!init &&
		typeof job.progress === 'number' &&
		state.progress[job.job_id] !== job.progress
	) {
		return 'progress';
	}
	return 'track';
}

/**
 * Whether the node should GET job/{id} for this job: final jobs about to be emitted (status, message,
 * steps, errors) and, with Emit Progress, running jobs (their progress). Nothing else costs a request.
 */
export function needsDetails(
	state: TriggerState,
	init: boolean,
	job: JobObservation,
	settings: Pick<PollSettings, 'emitOn' | 'emitProgress' | 'emitHistory'>,
): boolean {
	if (typeof job.progress === 'number') return false; // already fetched
	const decision = decide(state, init, job, settings);
	if (decision === 'emit') return true;
	return settings.emitProgress && (decision === 'track' || decision === 'progress');
}

/**
 * Computes the next state and the events of a successful poll. Pure: `state` is not modified.
 * `jobs` are all jobs observed this poll with their best known status; `dropped` are tracked jobs
 * that no longer exist (404). Events are sorted oldest → newest (job creation time, then id).
 */
export function applyPoll(
	start: PollStart,
	jobs: readonly JobObservation[],
	dropped: readonly string[],
	settings: PollSettings,
	deferred: readonly JobObservation[] = [],
): { state: TriggerState; events: PollEvent[] } {
	const { base, init } = start;
	const next: TriggerState = {
		v: STATE_VERSION,
		scope: settings.scope,
		initializedAt: init ? start.startedAt : base.initializedAt,
		lastPollAt: start.startedAt,
		floor: base.floor,
		emitted: { ...base.emitted },
		pending: { ...base.pending },
		progress: settings.emitProgress ? { ...base.progress } : {},
	};
	if (base.forgotten) next.forgotten = base.forgotten;
	const events: PollEvent[] = [];
	const seen = new Set<string>();
	for (const job of sortByCreation(jobs, (j) => [j.job_id, j.created_at])) {
		if (seen.has(job.job_id)) continue;
		seen.add(job.job_id);
		const decision = decide(base, init, job, settings);
		const id = job.job_id;
		const created = job.created_at ?? next.emitted[id]?.[1] ?? next.pending[id] ?? '';
		switch (decision) {
			case 'skip':
				if (isFinal(job.status)) {
					delete next.pending[id];
					delete next.progress[id];
				}
				break;
			case 'mark':
			case 'emit':
				next.emitted[id] = [job.status, created || ''];
				delete next.pending[id];
				delete next.progress[id];
				if (decision === 'emit') events.push({ kind: 'final', job });
				break;
			case 'track':
			case 'progress':
				next.pending[id] = created || '';
				if (settings.emitProgress && typeof job.progress === 'number') {
					next.progress[id] = job.progress;
				}
				if (decision === 'progress') events.push({ kind: 'progress', job });
				break;
		}
	}
	for (const id of dropped) {
		delete next.pending[id];
		delete next.progress[id];
	}
	if (settings.watchedIds) {
		const watched = new Set(settings.watchedIds);
		for (const id of Object.keys(next.emitted)) if (!watched.has(id)) delete next.emitted[id];
		for (const id of Object.keys(next.pending)) if (!watched.has(id)) delete next.pending[id];
	}
	// Jobs left for the next poll (time budget) are not recorded; the floor must stay below them.
	let floorCap: number | undefined;
	for (const job of deferred) {
		const c = ms(job.created_at);
		if (c !== undefined && (floorCap === undefined || c - 1 < floorCap)) floorCap = c - 1;
	}
	prune(next, settings.windowed ? start.fromDate : undefined, floorCap);
	return { state: next, events };
}

function raiseFloor(state: TriggerState, created: string): void {
	const c = ms(created);
	if (c === undefined) return;
	const f = ms(state.floor);
	if (f === undefined || c > f) state.floor = new Date(c).toISOString();
}

/**
 * Keeps the state bounded: window pruning and caps for `emitted` and `pending`; progress only for
 * pending jobs. `floorCap` (ms): records created after it are not evicted, so that the floor stays
 * below jobs deferred to the next poll (they must not count as handled). Records of unknown creation
 * time go last and leave a fingerprint in `forgotten` instead of raising the floor.
 */
export function prune(state: TriggerState, fromDate: string | undefined, floorCap?: number): void {
	const windowStart = fromDate ? ms(`${fromDate}T00:00:00.000Z`) : undefined;
	// Oldest first; unknown creation times count as newest (they cannot raise the floor).
	const emitted = sortByCreation(
		Object.entries(state.emitted).map(([id, [status, created]]) => [id, created, status] as const),
		([id, created]) => [id, created],
	);
	let excess = emitted.length - MAX_EMITTED;
	for (const [id, created, status] of emitted) {
		const c = ms(created);
		const outOfWindow =
			windowStart !== undefined && c !== undefined && c < windowStart - PRUNE_MARGIN_MS;
		if (!(excess > 0 || outOfWindow)) break; // sorted: nothing later is older
		// Records the floor cannot cover (created after a job deferred to the next poll) are kept for now.
		if (floorCap !== undefined && c !== undefined && c > floorCap) continue;
		delete state.emitted[id];
		if (c === undefined) forget(state, id, status);
		else raiseFloor(state, created);
		excess--;
	}

	const pending = Object.entries(state.pending);
	if (pending.length > MAX_PENDING) {
		const oldestFirst = sortByCreation(pending, (entry) => entry);
		for (const [id] of oldestFirst.slice(0, pending.length - MAX_PENDING)) {
			delete state.pending[id];
		}
	}
	for (const id of Object.keys(state.progress)) {
		if (!(id in state.pending)) delete state.progress[id];
	}
}
