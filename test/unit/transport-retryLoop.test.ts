/**
 * The retry loop (nodes/shared/transport/retryLoop.ts) for every kind of request in RETRY_POLICY,
 * driven with a scripted attempt, a fake clock and a sleep that only moves that clock: no socket,
 * no real wait. Failures are classified by the real retryPolicy.ts functions. Over 350 lines because
 * it walks every request kind of the policy table through one scripted loop.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { runRetryLoop, type LoopResult } from '../../nodes/shared/transport/retryLoop';
import type { LookResult } from '../../nodes/shared/transport/lookFirst';
import {
	RETRY_POLICY,
	networkFailure,
	statusFailure,
	type RequestKind,
} from '../../nodes/shared/transport/retryPolicy';

/** What each kind does after an ambiguous failure, written out here so that a change to the table fails a test. */
const EXPECTED: Record<
	RequestKind,
	{
		ambiguous: 'repeat' | 'lookFirst' | 'stop';
		inconclusive?: 'repeat' | 'stop';
		notFoundIsDone?: true;
	}
> = {
	read: { ambiguous: 'repeat' },
	deleteItem: { ambiguous: 'repeat', notFoundIsDone: true },
	presignedPut: { ambiguous: 'repeat' },
	legacyAppend: { ambiguous: 'repeat' },
	batchAppendJob: { ambiguous: 'repeat' },
	uploadAppendJob: { ambiguous: 'lookFirst', inconclusive: 'repeat' },
	createDataset: { ambiguous: 'lookFirst', inconclusive: 'stop' },
	write: { ambiguous: 'stop' },
};
const KINDS = Object.keys(EXPECTED) as RequestKind[];
const LOOK_KINDS = KINDS.filter((k) => EXPECTED[k].ambiguous === 'lookFirst');

/** One scripted answer: a status (with an optional Retry-After), a network error code, or success. */
type Step =
	| 'ok'
	| number
	| { status: number; retryAfter: string }
	| { code: string; message?: string };

const NOT_PROCESSED: Step[] = [
	429,
	{ code: 'ECONNREFUSED' },
	{ code: 'UND_ERR_CONNECT_TIMEOUT' },
	{ code: 'EAI_AGAIN' },
];
const AMBIGUOUS: Step[] = [
	...[502, 503, 504, 520, 524],
	...['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_SOCKET'].map((code) => ({ code })),
	...['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].map((code) => ({ code })),
	{ code: 'UND_ERR', message: 'other side closed' },
];
const FINAL: Step[] = [400, 401, 403, 404, 409, 500, { code: 'ENOTFOUND' }];

const NOT_SENT_AGAIN =
	'Not sent again: the request may have reached Nucleus, and sending it a second time could do it twice. Check the result in Nucleus before running the node again.';

function show(step: Step): string {
	return typeof step === 'object'
		? 'code' in step
			? (step.message ?? step.code)
			: `${step.status}`
		: `${step}`;
}

interface RunOptions {
	maxAttempts?: number;
	budgetMs?: number;
	/** Fake time one attempt takes. */
	attemptMs?: number;
	/** Answers of look.after(), in order; undefined: no look-first for this request. */
	looks?: LookResult[];
	/** Fake time one look takes. */
	lookMs?: number;
	/** Fake time beforeRetry holds the retry. */
	heldMs?: number;
	/** The computed wait after failed attempt n (default n × 10 ms). */
	backoff?: (attempt: number) => number;
}

async function run(kind: RequestKind, script: Step[], options: RunOptions = {}) {
	let now = 1_000_000;
	const events: string[] = [];
	const sleeps: number[] = [];
	const retries: Array<{ status?: number; code?: string; attempt: number; delayMs: number }> = [];
	let attempts = 0;
	/** What each look was told of the first send. */
	const lookedSince: number[] = [];
	const looks = options.looks ? [...options.looks] : undefined;
	const result: LoopResult = await runRetryLoop({
		policy: RETRY_POLICY[kind],
		maxAttempts: options.maxAttempts ?? 5,
		budgetMs: options.budgetMs ?? 180_000,
		backoff: options.backoff ?? ((attempt) => attempt * 10),
		clock: () => now,
		sleep: async (ms) => {
			events.push(`sleep ${ms}`);
			sleeps.push(ms);
			now += ms;
		},
		log: ({ failure, attempt, delayMs }) =>
			retries.push({ status: failure.status, code: failure.code, attempt, delayMs }),
		beforeRetry: async () => {
			events.push('beforeRetry');
			now += options.heldMs ?? 0;
		},
		look: looks && {
			after: async (firstSentAtMs) => {
				events.push('look');
				lookedSince.push(firstSentAtMs);
				now += options.lookMs ?? 0;
				return looks.shift() ?? { state: 'notDone' };
			},
		},
		attempt: async (n) => {
			attempts++;
			assert.equal(n, attempts, 'attempts are numbered from 1');
			events.push(`attempt ${n}`);
			now += options.attemptMs ?? 0;
			const step = script[Math.min(n, script.length) - 1];
			if (step === 'ok')
				return { ok: { status: 200, contentType: 'application/json', text: '{}' } };
			if (typeof step === 'number' || 'status' in step) {
				const status = typeof step === 'number' ? step : step.status;
				const retryAfter = typeof step === 'number' ? undefined : step.retryAfter;
				return { failure: statusFailure({ status, contentType: '', text: '' }, retryAfter) };
			}
			const error = Object.assign(new Error(step.message ?? `connect ${step.code}`), {
				code: step.code,
			});
			return { failure: networkFailure(error) };
		},
	});
	const note = result.end === 'gaveUp' ? result.note : undefined;
	const ambiguousSeen = result.end === 'gaveUp' ? result.ambiguousSeen : undefined;
	return {
		result,
		end: result.end,
		note,
		ambiguousSeen,
		attempts,
		sleeps,
		retries,
		events,
		lookedSince,
	};
}

describe('retry loop: every RETRY_POLICY kind', () => {
	test('the table covers every kind of request, each with its reason', () => {
		assert.deepEqual(Object.keys(RETRY_POLICY).sort(), [...KINDS].sort());
		for (const kind of KINDS) {
			const policy = RETRY_POLICY[kind];
			assert.equal(policy.notProcessed, 'repeat', kind);
			assert.equal(policy.ambiguous, EXPECTED[kind].ambiguous, kind);
			assert.equal(policy.inconclusive, EXPECTED[kind].inconclusive, kind);
			assert.equal(policy.notFoundAfterAmbiguousIsDone, EXPECTED[kind].notFoundIsDone, kind);
			assert.ok(policy.why.length > 20, `${kind} says why`);
		}
	});

	for (const kind of KINDS) {
		test(`${kind}: a failure that was not processed is sent again, without a look`, async () => {
			for (const first of NOT_PROCESSED) {
				const r = await run(kind, [first, 'ok'], { looks: [] });
				assert.equal(r.end, 'answer', show(first));
				assert.equal(r.attempts, 2, show(first));
				assert.ok(!r.events.includes('look'), show(first));
			}
		});

		test(`${kind}: an ambiguous failure is ${EXPECTED[kind].ambiguous === 'stop' ? 'not sent again' : EXPECTED[kind].ambiguous === 'repeat' ? 'sent again' : 'looked for, then sent again'}`, async () => {
			for (const first of AMBIGUOUS) {
				const r = await run(kind, [first, 'ok'], { looks: [{ state: 'notDone' }] });
				const what = show(first);
				if (EXPECTED[kind].ambiguous === 'stop') {
					assert.deepEqual([r.end, r.attempts, r.note], ['gaveUp', 1, NOT_SENT_AGAIN], what);
					continue;
				}
				assert.equal(r.end, 'answer', what);
				assert.equal(r.attempts, 2, what);
				const lookFirst = EXPECTED[kind].ambiguous === 'lookFirst';
				const wait = r.sleeps.map((ms) => `sleep ${ms}`);
				assert.deepEqual(
					r.events,
					['attempt 1', ...wait, 'beforeRetry', ...(lookFirst ? ['look'] : []), 'attempt 2'],
					what,
				);
			}
		});

		test(`${kind}: a final failure ends the request at once`, async () => {
			for (const first of FINAL) {
				const r = await run(kind, [first, 'ok'], { looks: [] });
				assert.deepEqual([r.end, r.attempts, r.note], ['gaveUp', 1, ''], show(first));
			}
		});

		test(`${kind}: a 404 after an ambiguous attempt ${EXPECTED[kind].notFoundIsDone ? 'means done' : 'is an error'}`, async () => {
			const r = await run(kind, [503, 404], { looks: [] });
			if (EXPECTED[kind].ambiguous === 'stop') assert.deepEqual([r.end, r.attempts], ['gaveUp', 1]);
			else if (EXPECTED[kind].notFoundIsDone)
				assert.deepEqual([r.end, r.attempts], ['doneEarlier', 2]);
			else
				assert.deepEqual([r.end, r.attempts, r.note], ['gaveUp', 2, 'Gave up after 2 attempts.']);
			// Without an ambiguous attempt before it, a 404 is an error for every kind.
			for (const script of [[404], [429, 404], [{ code: 'ECONNREFUSED' }, 404]] as Step[][]) {
				const plain = await run(kind, script, { looks: [] });
				assert.equal(plain.end, 'gaveUp', `${kind} ${script.map(show).join(', ')}`);
			}
		});
	}
});

describe('retry loop: look first', () => {
	for (const kind of LOOK_KINDS) {
		const stopsWhenUnsure = EXPECTED[kind].inconclusive === 'stop';

		test(`${kind}: before retrying, a look that finds the request done returns its answer`, async () => {
			const answer = { dataset_id: 'ds_new' };
			const r = await run(kind, [503, 'ok'], {
				looks: [{ state: 'done', answer }],
				attemptMs: 700,
			});
			assert.deepEqual(r.result, { end: 'adopted', answer });
			assert.equal(r.attempts, 1);
			assert.equal(r.retries.length, 1, 'the failed attempt counts as retried');
			// Told when the first attempt was sent, so it can leave out what is older.
			assert.deepEqual(r.lookedSince, [1_000_000]);
		});

		test(`${kind}: before retrying, a look that cannot tell ${stopsWhenUnsure ? 'stops the request' : 'lets it be sent again'}`, async () => {
			const r = await run(kind, [{ code: 'ECONNRESET' }, 'ok'], {
				looks: [{ state: 'unknown', finding: '2 appeared meanwhile' }],
			});
			if (stopsWhenUnsure) {
				assert.equal(r.result.end, 'inconclusive');
				assert.equal(r.result.end === 'inconclusive' && r.result.finding, '2 appeared meanwhile');
				assert.equal(r.result.end === 'inconclusive' && r.result.failure.code, 'ECONNRESET');
				assert.equal(r.attempts, 1);
			} else {
				assert.deepEqual([r.end, r.attempts], ['answer', 2]);
			}
		});

		test(`${kind}: with no attempt left after an ambiguous one, a last look decides`, async () => {
			const answer = { job_id: 'job_1' };
			const done = await run(kind, [503], { maxAttempts: 1, looks: [{ state: 'done', answer }] });
			assert.deepEqual(done.result, { end: 'adopted', answer });
			const none = await run(kind, [503], { maxAttempts: 1, looks: [{ state: 'notDone' }] });
			assert.deepEqual([none.end, none.note, none.events], ['gaveUp', '', ['attempt 1', 'look']]);
			const unsure = await run(kind, [503], {
				maxAttempts: 1,
				looks: [{ state: 'unknown', finding: 'the list could not be read' }],
			});
			assert.equal(unsure.end, stopsWhenUnsure ? 'inconclusive' : 'gaveUp');
			// The ambiguous attempt may be an earlier one: 503, then a 429 on the last attempt.
			const earlier = await run(kind, [503, 429], { maxAttempts: 2, looks: [] });
			assert.deepEqual(earlier.events.filter((e) => e === 'look').length, 2);
			assert.deepEqual([earlier.end, earlier.note], ['gaveUp', 'Gave up after 2 attempts.']);
		});

		test(`${kind}: no look after failures that were not processed`, async () => {
			const r = await run(kind, [429], { maxAttempts: 1, looks: [] });
			assert.deepEqual(r.events, ['attempt 1']);
			// A 429 after a 503: the retry after the 429 is not looked for (the 503's was).
			const mixed = await run(kind, [503, 429, 'ok'], { looks: [] });
			assert.equal(mixed.end, 'answer');
			assert.equal(mixed.events.filter((e) => e === 'look').length, 1);
		});

		test(`${kind}: without a look (the request carried nothing to recognise) an ambiguous failure is sent again`, async () => {
			const r = await run(kind, [503, 'ok']);
			assert.deepEqual([r.end, r.attempts], ['answer', 2]);
		});
	}
});

describe('retry loop: attempts, waits and the time budget', () => {
	test('a request that gave up says whether any attempt lost its answer', async () => {
		const cases: Array<[RequestKind, Step[], number, boolean]> = [
			['read', [429], 1, false],
			['read', [400], 5, false],
			['write', [{ code: 'ECONNRESET' }], 5, true],
			['read', [503, 429], 2, true],
			['batchAppendJob', [504], 2, true],
		];
		for (const [kind, script, maxAttempts, expected] of cases) {
			const r = await run(kind, script, { maxAttempts });
			assert.deepEqual(
				[r.end, r.ambiguousSeen],
				['gaveUp', expected],
				`${kind} ${script.map(show).join(', ')}`,
			);
		}
	});

	test('at most maxAttempts attempts; a wait before each retry, none after the last', async () => {
		const r = await run('read', [503], { maxAttempts: 3 });
		assert.deepEqual([r.end, r.attempts, r.note], ['gaveUp', 3, 'Gave up after 3 attempts.']);
		assert.deepEqual(r.sleeps, [10, 20], 'the backoff of attempts 1 and 2');
		assert.deepEqual(r.retries, [
			{ status: 503, code: undefined, attempt: 1, delayMs: 10 },
			{ status: 503, code: undefined, attempt: 2, delayMs: 20 },
		]);
		const once = await run('read', [503], { maxAttempts: 1 });
		assert.deepEqual([once.attempts, once.note, once.sleeps], [1, '', []]);
		const net = await run('read', [{ code: 'ECONNRESET' }], { maxAttempts: 2 });
		assert.deepEqual(net.retries, [
			{ status: undefined, code: 'ECONNRESET', attempt: 1, delayMs: 10 },
		]);
	});

	test('Retry-After within the budget is waited for, instead of the backoff', async () => {
		const r = await run('write', [{ status: 429, retryAfter: '1' }, 'ok']);
		assert.deepEqual([r.end, r.sleeps], ['answer', [1000]]);
		const tenths = await run('read', [{ status: 429, retryAfter: '0.3' }, 'ok'], {
			budgetMs: 5_000,
		});
		assert.deepEqual(tenths.sleeps, [300]);
	});

	test('Retry-After past the budget fails at once, saying how long was asked and how long was left', async () => {
		const r = await run('read', [{ status: 429, retryAfter: '3600' }], { attemptMs: 1_000 });
		assert.deepEqual([r.end, r.attempts, r.sleeps], ['gaveUp', 1, []]);
		assert.equal(
			r.note,
			'Nucleus asked to wait 3600 s, more than the 179 s left of the 180 s this request may take, so the node did not wait. Run it again after the time in the message.',
		);
		assert.equal(r.result.end === 'gaveUp' && r.result.failure.retryAfterMs, 3_600_000);
		// A wait that would end exactly at the budget's end is too long as well.
		const edge = await run('read', [{ status: 503, retryAfter: '2' }], { budgetMs: 2_000 });
		assert.equal(edge.attempts, 1);
		assert.match(edge.note ?? '', /^Nucleus asked to wait 2 s, more than the 2 s left of the 2 s/);
	});

	test('a backoff that would end after the budget stops the request, saying how long it ran', async () => {
		// Attempts of 400 ms: the third ends at 1230 ms, past the 1 s budget, so no fourth is started.
		const r = await run('read', [503], { budgetMs: 1_000, attemptMs: 400 });
		assert.equal(r.end, 'gaveUp');
		assert.equal(r.attempts, 3);
		assert.equal(
			r.note,
			'Gave up after 3 attempt(s) in 1.2 s: the next one would start after the 1 s this request may take.',
		);
		const first = await run('read', [503], { budgetMs: 1_000, backoff: () => 2_000 });
		assert.match(
			first.note ?? '',
			/Gave up after 1 attempt\(s\) in \d+(\.\d)? s: the next one would start after the 1 s this request may take\.$/,
		);
		assert.equal(first.attempts, 1);
	});

	test('the time of a last look counts in the budget note', async () => {
		const r = await run('createDataset', [503], {
			budgetMs: 1_000,
			backoff: () => 2_000,
			lookMs: 1_500,
			looks: [{ state: 'notDone' }],
		});
		assert.equal(
			r.note,
			'Gave up after 1 attempt(s) in 1.5 s: the next one would start after the 1 s this request may take.',
		);
	});

	test('time held by beforeRetry does not count against the budget; time spent in attempts does', async () => {
		const held = await run('read', [503], { budgetMs: 300, maxAttempts: 3, heldMs: 400 });
		assert.equal(held.attempts, 3, 'each retry waited 400 ms for a slot, past the 300 ms budget');
		const slow = await run('read', [503], { budgetMs: 300, maxAttempts: 3, attemptMs: 400 });
		assert.equal(slow.attempts, 1);
	});
});
