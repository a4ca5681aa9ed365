/**
 * The trigger's decisions: what a poll emits and the next cursor (ScaleNucleusTrigger/decide.ts).
 * Over 350 lines because it is every scenario of that one module (first poll, emitting, progress,
 * bounded state, specific job IDs), all driven through the same poll() helper.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { JobObservation } from '../../nodes/shared/jobs/observation';
import {
	MAX_CATCH_UP_DAYS,
	applyPoll,
	beginPoll,
	decide,
	emitCategory,
	listingFromDate,
	missingPendingJobs,
	needsDetails,
	type PollSettings,
} from '../../nodes/ScaleNucleusTrigger/decide';
import {
	MAX_EMITTED,
	MAX_FORGOTTEN,
	MAX_PENDING,
	type TriggerState,
} from '../../nodes/ScaleNucleusTrigger/state';

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-10T12:00:00.000Z');

function settings(over: Partial<PollSettings> = {}): PollSettings {
	return {
		scope: 'scope-a',
		emitOn: ['completed', 'erroredAny', 'cancelled'],
		emitProgress: false,
		emitHistory: false,
		lookbackDays: 2,
		windowed: true,
		...over,
	};
}

function job(
	id: string,
	status: string,
	createdMs: number,
	extra: Partial<JobObservation> = {},
): JobObservation {
	return {
		job_id: id,
		status,
		created_at: new Date(createdMs).toISOString(),
		job_type: 'uploadDatasetItems',
		dataset_id: 'ds_1',
		...extra,
	};
}

/** One poll as the node runs it: begin, apply; returns the emitted job ids "id:status" and the next state. */
function poll(
	state: TriggerState | undefined,
	jobs: JobObservation[],
	nowMs: number,
	s: PollSettings = settings(),
	dropped: string[] = [],
) {
	const start = beginPoll(state, s, new Date(nowMs));
	const { state: next, events } = applyPoll(start, jobs, dropped, s);
	return {
		start,
		state: next,
		events,
		emitted: events.filter((e) => e.kind === 'final').map((e) => `${e.job.job_id}:${e.job.status}`),
		progress: events
			.filter((e) => e.kind === 'progress')
			.map((e) => `${e.job.job_id}:${e.job.progress}`),
	};
}

describe('status classification', () => {
	test('final statuses map to the Trigger On choices; Queued/Running/Started/Retried are not final', () => {
		assert.equal(emitCategory('Completed'), 'completed');
		assert.equal(emitCategory('Cancelled'), 'cancelled');
		for (const s of [
			'Errored',
			'Errored_Server',
			'Errored_User',
			'Errored_Partial',
			'Errored_Hanging',
		]) {
			assert.equal(emitCategory(s), 'erroredAny', s);
		}
		for (const s of ['Queued', 'Running', 'Started', 'Retried', '']) {
			assert.equal(emitCategory(s), undefined, s);
		}
	});
});

describe('listing window (from_date)', () => {
	test('reaches back lookbackDays from the last successful poll, in UTC days', () => {
		const now = new Date(T0);
		assert.equal(listingFromDate(now, undefined, 2), '2026-03-08');
		assert.equal(listingFromDate(now, new Date(T0 - 5 * DAY).toISOString(), 2), '2026-03-03');
		assert.equal(listingFromDate(now, undefined, 0), '2026-03-10');
	});

	test('a last-poll time in the future is ignored, and a long outage is bounded', () => {
		const now = new Date(T0);
		assert.equal(listingFromDate(now, new Date(T0 + 3 * DAY).toISOString(), 2), '2026-03-08');
		const yearAgo = new Date(T0 - 365 * DAY).toISOString();
		const expected = new Date(T0 - (2 + MAX_CATCH_UP_DAYS) * DAY).toISOString().slice(0, 10);
		assert.equal(listingFromDate(now, yearAgo, 2), expected);
	});

	test('the window of a poll starts from the previous successful poll, not from now', () => {
		const first = poll(undefined, [], T0);
		const later = beginPoll(first.state, settings(), new Date(T0 + 4 * DAY));
		assert.equal(later.fromDate, '2026-03-08');
	});
});

describe('first poll', () => {
	test('records finished jobs without emitting them and tracks running ones', () => {
		const r = poll(
			undefined,
			[job('job_done', 'Completed', T0 - 1000), job('job_run', 'Running', T0)],
			T0,
		);
		assert.equal(r.start.init, true);
		assert.deepEqual(r.events, []);
		assert.equal(r.state.initializedAt, new Date(T0).toISOString());
		assert.deepEqual(r.state.emitted.job_done, ['Completed', new Date(T0 - 1000).toISOString()]);
		assert.ok('job_run' in r.state.pending);
	});

	test('with Emit History, finished jobs are emitted oldest first; running ones are not', () => {
		const r = poll(
			undefined,
			[
				job('job_b', 'Errored_Partial', T0 - 1000),
				job('job_run', 'Running', T0 - 3000),
				job('job_a', 'Completed', T0 - 2000),
			],
			T0,
			settings({ emitHistory: true }),
		);
		assert.deepEqual(r.emitted, ['job_a:Completed', 'job_b:Errored_Partial']);
	});

	test('a change of what is watched starts over without re-emitting jobs already emitted', () => {
		const s1 = settings();
		const p1 = poll(undefined, [job('job_1', 'Running', T0)], T0, s1);
		const p2 = poll(p1.state, [job('job_1', 'Completed', T0)], T0 + 60_000, s1);
		assert.deepEqual(p2.emitted, ['job_1:Completed']);
		const s2 = settings({ scope: 'scope-b', emitHistory: true });
		const p3 = poll(
			p2.state,
			[job('job_1', 'Completed', T0), job('job_2', 'Completed', T0 + 1000)],
			T0 + 120_000,
			s2,
		);
		assert.equal(p3.start.init, true);
		assert.deepEqual(p3.emitted, ['job_2:Completed']);
		assert.equal(p3.state.scope, 'scope-b');
		assert.deepEqual(p3.state.pending, {});
	});
});

describe('emitting finished jobs', () => {
	test('a job that finishes between two polls is emitted exactly once, even when windows overlap', () => {
		const p1 = poll(undefined, [job('job_1', 'Running', T0)], T0);
		const p2 = poll(p1.state, [job('job_1', 'Completed', T0)], T0 + 60_000);
		assert.deepEqual(p2.emitted, ['job_1:Completed']);
		assert.deepEqual(p2.state.pending, {});
		// the next listings still show it (creation-day window): nothing more
		const p3 = poll(p2.state, [job('job_1', 'Completed', T0)], T0 + 120_000);
		assert.deepEqual(p3.events, []);
		const p4 = poll(p3.state, [job('job_1', 'Completed', T0)], T0 + DAY);
		assert.deepEqual(p4.events, []);
	});

	test('a job created and finished between two polls is emitted', () => {
		const p1 = poll(undefined, [], T0);
		const p2 = poll(p1.state, [job('job_new', 'Errored_User', T0 + 10_000)], T0 + 60_000);
		assert.deepEqual(p2.emitted, ['job_new:Errored_User']);
	});

	test('running the same poll twice from the same stored state gives the same result; from the new state, nothing', () => {
		const p1 = poll(undefined, [job('job_1', 'Running', T0)], T0);
		const jobs = [job('job_1', 'Completed', T0), job('job_2', 'Cancelled', T0 + 5)];
		const a = poll(p1.state, jobs, T0 + 60_000);
		const b = poll(p1.state, jobs, T0 + 60_000);
		assert.deepEqual(a, b);
		const again = poll(a.state, jobs, T0 + 60_000);
		assert.deepEqual(again.events, []);
		assert.deepEqual(again.state.emitted, a.state.emitted);
	});

	test('applyPoll does not modify the state it starts from', () => {
		const p1 = poll(undefined, [job('job_1', 'Running', T0)], T0);
		const before = JSON.stringify(p1.state);
		poll(p1.state, [job('job_1', 'Completed', T0), job('job_2', 'Completed', T0)], T0 + 60_000);
		assert.equal(JSON.stringify(p1.state), before);
	});

	test('a new final status of the same job is emitted once more (once per final status)', () => {
		const p1 = poll(undefined, [], T0);
		const p2 = poll(p1.state, [job('job_1', 'Errored_Server', T0 + 1)], T0 + 60_000);
		assert.deepEqual(p2.emitted, ['job_1:Errored_Server']);
		const p3 = poll(p2.state, [job('job_1', 'Completed', T0 + 1)], T0 + 120_000);
		assert.deepEqual(p3.emitted, ['job_1:Completed']);
		const p4 = poll(p3.state, [job('job_1', 'Completed', T0 + 1)], T0 + 180_000);
		assert.deepEqual(p4.emitted, []);
	});

	test('statuses not chosen in Trigger On are recorded silently and never emitted later', () => {
		const s = settings({ emitOn: ['erroredAny'] });
		const p1 = poll(undefined, [], T0, s);
		const jobs = [
			job('job_ok', 'Completed', T0 + 1),
			job('job_bad', 'Errored_Partial', T0 + 2),
			job('job_c', 'Cancelled', T0 + 3),
		];
		const p2 = poll(p1.state, jobs, T0 + 60_000, s);
		assert.deepEqual(p2.emitted, ['job_bad:Errored_Partial']);
		assert.deepEqual(Object.keys(p2.state.emitted).sort(), ['job_bad', 'job_c', 'job_ok']);
		const p3 = poll(
			p2.state,
			jobs,
			T0 + 120_000,
			settings({ emitOn: ['completed', 'erroredAny', 'cancelled'] }),
		);
		assert.deepEqual(p3.events, []);
	});

	test('duplicate observations of one job in one poll emit it once', () => {
		const p1 = poll(undefined, [], T0);
		const p2 = poll(
			p1.state,
			[job('job_1', 'Completed', T0 + 1), job('job_1', 'Completed', T0 + 1)],
			T0 + 60_000,
		);
		assert.deepEqual(p2.emitted, ['job_1:Completed']);
	});
});

describe('running jobs and progress', () => {
	test('running jobs emit nothing without Emit Progress', () => {
		const p1 = poll(undefined, [], T0);
		const p2 = poll(p1.state, [job('job_1', 'Running', T0 + 1, { progress: 0.4 })], T0 + 60_000);
		assert.deepEqual(p2.events, []);
		assert.deepEqual(p2.state.progress, {});
		assert.ok('job_1' in p2.state.pending);
	});

	test('with Emit Progress, a changed progress emits once; unchanged emits nothing; finishing clears it', () => {
		const s = settings({ emitProgress: true });
		const p1 = poll(undefined, [job('job_1', 'Running', T0, { progress: 0.1 })], T0, s);
		assert.deepEqual(p1.events, [], 'the first poll only records a baseline');
		assert.equal(p1.state.progress.job_1, 0.1);
		const p2 = poll(p1.state, [job('job_1', 'Running', T0, { progress: 0.1 })], T0 + 60_000, s);
		assert.deepEqual(p2.events, []);
		const p3 = poll(p2.state, [job('job_1', 'Running', T0, { progress: 0.5 })], T0 + 120_000, s);
		assert.deepEqual(p3.progress, ['job_1:0.5']);
		const p3again = poll(
			p3.state,
			[job('job_1', 'Running', T0, { progress: 0.5 })],
			T0 + 150_000,
			s,
		);
		assert.deepEqual(p3again.events, []);
		const p4 = poll(p3.state, [job('job_1', 'Completed', T0, { progress: 1 })], T0 + 180_000, s);
		assert.deepEqual(p4.emitted, ['job_1:Completed']);
		assert.deepEqual(p4.state.progress, {});
		assert.deepEqual(p4.state.pending, {});
	});

	test('needsDetails asks for GET job/{id} only for jobs to emit, and for running jobs with Emit Progress', () => {
		const p1 = poll(undefined, [job('job_seen', 'Completed', T0)], T0);
		const s = settings();
		const base = p1.state;
		assert.equal(needsDetails(base, false, job('job_new', 'Completed', T0 + 1), s), true);
		assert.equal(needsDetails(base, false, job('job_seen', 'Completed', T0), s), false);
		assert.equal(
			needsDetails(base, true, job('job_new', 'Completed', T0 + 1), s),
			false,
			'first poll',
		);
		assert.equal(needsDetails(base, false, job('job_run', 'Running', T0 + 1), s), false);
		const sp = settings({ emitProgress: true });
		assert.equal(needsDetails(base, false, job('job_run', 'Running', T0 + 1), sp), true);
		assert.equal(
			needsDetails(base, false, job('job_run', 'Running', T0 + 1, { progress: 0.2 }), sp),
			false,
		);
		assert.equal(
			needsDetails(
				base,
				false,
				job('job_x', 'Cancelled', T0 + 1),
				settings({ emitOn: ['completed'] }),
			),
			false,
		);
	});

	test('running jobs that leave the listing are looked up; deleted ones are dropped', () => {
		const p1 = poll(undefined, [job('job_1', 'Running', T0), job('job_2', 'Queued', T0)], T0);
		assert.deepEqual(missingPendingJobs(p1.state, ['job_2']), ['job_1']);
		const p2 = poll(p1.state, [job('job_2', 'Queued', T0)], T0 + 60_000, settings(), ['job_1']);
		assert.deepEqual(Object.keys(p2.state.pending), ['job_2']);
	});
});

describe('bounded state', () => {
	test('10,000 jobs finishing across polls: each emitted once, stored state stays small', () => {
		let state: TriggerState | undefined = poll(undefined, [], T0).state;
		let now = T0;
		const emittedCount = new Map<string, number>();
		let maxSize = 0;
		// 100 polls, one minute apart; each poll 100 new jobs appear running and the previous 100 finish.
		// Every listing shows all jobs of the last two days (the creation-day window), like POST jobs/.
		const all: JobObservation[] = [];
		for (let p = 0; p < 101; p++) {
			now += 60_000;
			for (const j of all)
				if (j.status === 'Running') j.status = p % 7 === 0 ? 'Errored_Partial' : 'Completed';
			if (p < 100) {
				for (let i = 0; i < 100; i++) {
					all.push(
						job(
							`job_${String(p).padStart(3, '0')}_${String(i).padStart(3, '0')}`,
							'Running',
							now - 1000 + i,
						),
					);
				}
			}
			const r = poll(
				state,
				all.map((j) => ({ ...j })),
				now,
			);
			for (const id of r.emitted) emittedCount.set(id, (emittedCount.get(id) ?? 0) + 1);
			state = r.state;
			maxSize = Math.max(maxSize, JSON.stringify(state).length);
		}
		assert.equal(emittedCount.size, 10_000);
		assert.ok(
			[...emittedCount.values()].every((n) => n === 1),
			'no job emitted twice',
		);
		assert.ok(Object.keys(state!.emitted).length <= MAX_EMITTED);
		assert.ok(maxSize < 200_000, `state size ${maxSize}`);
		// one more identical poll: still nothing
		const last = poll(
			state,
			all.map((j) => ({ ...j })),
			now + 60_000,
		);
		assert.deepEqual(last.events, []);
	});

	test('a burst of 10,000 finished jobs in one listing: emitted once, repeated listings emit nothing, state small', () => {
		const p1 = poll(undefined, [], T0);
		const burst = Array.from({ length: 10_000 }, (_, i) =>
			job(`job_${String(i).padStart(5, '0')}`, 'Completed', T0 + 1 + i * 10),
		);
		const p2 = poll(p1.state, burst, T0 + 60 * 60_000);
		assert.equal(p2.emitted.length, 10_000);
		assert.equal(p2.emitted[0], 'job_00000:Completed', 'oldest first');
		assert.equal(p2.emitted[9999], 'job_09999:Completed');
		const size = JSON.stringify(p2.state).length;
		assert.ok(size < 200_000, `state size ${size}`);
		assert.ok(p2.state.floor !== null, 'evicted records are covered by the floor');
		const p3 = poll(p2.state, burst, T0 + 61 * 60_000);
		assert.deepEqual(p3.events, []);
		// a job created after the floor is still emitted
		const p4 = poll(
			p3.state,
			[...burst, job('job_late', 'Completed', T0 + 200_000)],
			T0 + 62 * 60_000,
		);
		assert.deepEqual(p4.emitted, ['job_late:Completed']);
	});

	test('records older than the listing window are pruned; a tracked job is still emitted when it finishes', () => {
		const p1 = poll(
			undefined,
			[job('job_old', 'Completed', T0 - 1000), job('job_slow', 'Running', T0 - 500)],
			T0,
		);
		// five days later (two polls: the window starts from the previous successful poll) the old jobs are out of it
		const p2a = poll(p1.state, [], T0 + 5 * DAY);
		assert.ok('job_old' in p2a.state.emitted, 'still inside the window of this poll');
		const p2 = poll(p2a.state, [], T0 + 5 * DAY + 30_000);
		assert.equal('job_old' in p2.state.emitted, false);
		assert.equal(p2.state.floor, new Date(T0 - 1000).toISOString());
		assert.ok('job_slow' in p2.state.pending);
		// if a listing still shows the pruned job (time zones, a longer lookback), it is not emitted again
		const p3 = poll(p2.state, [job('job_old', 'Completed', T0 - 1000)], T0 + 5 * DAY + 60_000);
		assert.deepEqual(p3.events, []);
		// the long-running job, looked up by id, is emitted when it finishes even though it is below the floor
		const p4 = poll(p3.state, [job('job_slow', 'Completed', T0 - 500)], T0 + 5 * DAY + 120_000);
		assert.deepEqual(p4.emitted, ['job_slow:Completed']);
	});

	test('without a listing window (job ids), records are kept up to the cap', () => {
		const s = settings({ windowed: false });
		const p1 = poll(undefined, [job('job_1', 'Running', T0)], T0, s);
		const p2 = poll(p1.state, [job('job_1', 'Completed', T0)], T0 + 60_000, s);
		const p3 = poll(p2.state, [job('job_1', 'Completed', T0)], T0 + 30 * DAY, s);
		assert.deepEqual(p3.events, []);
		assert.ok('job_1' in p3.state.emitted);
	});

	test('tracked running jobs are capped, oldest forgotten first', () => {
		const running = Array.from({ length: MAX_PENDING + 50 }, (_, i) =>
			job(`job_${String(i).padStart(5, '0')}`, 'Running', T0 + i),
		);
		const p1 = poll(undefined, running, T0 + DAY);
		assert.equal(Object.keys(p1.state.pending).length, MAX_PENDING);
		assert.equal('job_00000' in p1.state.pending, false);
		assert.ok(`job_${String(MAX_PENDING + 49).padStart(5, '0')}` in p1.state.pending);
	});

	test('jobs without a creation time are kept, never raise the floor, and are not skipped', () => {
		const s = settings({ windowed: false });
		const p1 = poll(undefined, [], T0, s);
		const p2 = poll(p1.state, [job('job_x', 'Completed', 0, { created_at: null })], T0 + 60_000, s);
		assert.deepEqual(p2.emitted, ['job_x:Completed']);
		assert.deepEqual(p2.state.emitted.job_x, ['Completed', '']);
		assert.equal(
			decide(p2.state, false, job('job_x', 'Completed', 0, { created_at: null }), s),
			'skip',
		);
	});
});

describe('records of unknown creation time beyond the cap', () => {
	const unknownTime = (n: number, status = 'Completed') =>
		Array.from({ length: n }, (_, i) =>
			job(`job_${String(i).padStart(5, '0')}`, status, 0, { created_at: null }),
		);

	test('they are evicted after every record of known time, and leave a fingerprint instead of the floor', () => {
		const jobs = [...unknownTime(MAX_EMITTED - 1), job('job_known', 'Completed', T0)];
		const p1 = poll(
			undefined,
			[...jobs, ...unknownTime(MAX_EMITTED + 2).slice(MAX_EMITTED - 1)],
			T0 + 60_000,
		);
		assert.equal(Object.keys(p1.state.emitted).length, MAX_EMITTED);
		assert.equal('job_known' in p1.state.emitted, false, 'the known-time record goes first');
		assert.equal(p1.state.floor, new Date(T0).toISOString());
		assert.equal(p1.state.forgotten?.length, 2 * 8, 'two unknown-time records forgotten');
	});

	test('a forgotten job listed again in the same status is not emitted; in a new final status it is', () => {
		const all = unknownTime(MAX_EMITTED + 5);
		const p1 = poll(undefined, all, T0);
		const forgotten = all.filter((j) => !(j.job_id in p1.state.emitted));
		assert.equal(forgotten.length, 5);
		const p2 = poll(p1.state, all, T0 + 60_000);
		assert.deepEqual(p2.emitted, []);
		const p3 = poll(p2.state, [{ ...forgotten[0], status: 'Errored' }], T0 + 120_000);
		assert.deepEqual(p3.emitted, [`${forgotten[0].job_id}:Errored`]);
	});

	test('the fingerprints are bounded, the oldest dropped first, and survive a change of scope', () => {
		let state: TriggerState | undefined;
		for (let round = 0; round < 12; round++) {
			const batch = Array.from({ length: MAX_EMITTED }, (_, i) =>
				job(`job_${round}_${i}`, 'Completed', 0, { created_at: null }),
			);
			state = poll(state, batch, T0 + round * 60_000).state;
		}
		assert.equal(state!.forgotten!.length, MAX_FORGOTTEN * 8);
		const moved = poll(state, [], T0 + DAY, settings({ scope: 'scope-b' }));
		assert.equal(moved.state.forgotten, state!.forgotten);
	});
});

describe('specific job ids', () => {
	test('records of jobs no longer watched are dropped', () => {
		const s1 = settings({ windowed: false, watchedIds: ['job_a', 'job_b'], scope: 'ids-1' });
		const p1 = poll(
			undefined,
			[job('job_a', 'Completed', T0), job('job_b', 'Running', T0)],
			T0,
			s1,
		);
		assert.deepEqual(Object.keys(p1.state.emitted), ['job_a']);
		const s2 = settings({ windowed: false, watchedIds: ['job_b', 'job_c'], scope: 'ids-2' });
		const p2 = poll(
			p1.state,
			[job('job_b', 'Running', T0), job('job_c', 'Running', T0)],
			T0 + 60_000,
			s2,
		);
		assert.deepEqual(Object.keys(p2.state.emitted), []);
		assert.deepEqual(Object.keys(p2.state.pending).sort(), ['job_b', 'job_c']);
	});
});
