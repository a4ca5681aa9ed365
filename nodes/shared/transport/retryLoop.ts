/**
 * WHERE A RETRY IS DECIDED: the loop that runs one request's attempts under its kind's policy
 * (./retryPolicy.ts). It sees no socket, no undici and no real clock: the attempt, the look-first,
 * the clock and the sleep are handed in, so tests drive it with fakes (test/unit/transport-retryLoop.test.ts).
 *
 * Shaped like smithy's retry middleware (github.com/smithy-lang/smithy-typescript,
 * packages/middleware-retry/src/retryMiddleware.ts: make an attempt, ask the strategy whether and
 * when to try again, sleep, repeat) and octokit's retry plugin (github.com/octokit/plugin-retry.js:
 * the decision is data, `doNotRetry` and `retries`): `decide` is the strategy, a pure function of the
 * policy, the failure and the time left; the loop only follows its answer. After a decision that
 * asks for it, ONE look-then-decide step asks look-first whether an ambiguous attempt was done; when
 * the request ends without an answer, ONE function (`giveUpNote`) words what the policy did.
 */
import { formatSeconds } from './errors';
import type { LookResult } from './lookFirst';
import type { Failure, HttpAnswer, KindPolicy } from './retryPolicy';

/** One attempt's result: an answer (2xx), or the failure the policy decides on. */
export type AttemptOutcome = { ok: HttpAnswer } | { failure: Failure };

/**
 * Look-first as the loop uses it: `after()` when a decision asks whether the request was done (never
 * before the first attempt: a request that answers costs no look), told when the first attempt was
 * sent. It does not reject except on cancel: the client turns a failed listing into
 * `{ state: 'unknown' }` (./requestLook.ts).
 */
export interface LoopLook {
	after(firstSentAtMs: number): Promise<LookResult>;
}

export interface RetryLoopInput {
	policy: KindPolicy;
	/** Attempts in all, including the first (1 when the caller turned retries off). */
	maxAttempts: number;
	/** Time within which every attempt and backoff wait must start. */
	budgetMs: number;
	/** The computed wait after failed attempt `attempt` (used when the server gave no Retry-After). */
	backoff: (attempt: number) => number;
	/** Sends attempt `attempt` (1 = the first). Throws only when the request must end at once (cancel, unreadable body). */
	attempt: (attempt: number) => Promise<AttemptOutcome>;
	look?: LoopLook;
	clock: () => number;
	sleep: (ms: number) => Promise<void>;
	/** Told of every retry before its wait (logs, stats, the caller's onRetry). */
	log: (retry: { failure: Failure; attempt: number; delayMs: number }) => void;
	/** Awaited after the wait, before the next attempt; time spent here does not count against the budget. */
	beforeRetry?: () => Promise<void>;
}

/** How the loop ended. Only `answer` and `adopted` come from a server that did the work it was asked. */
export type LoopResult =
	/** A 2xx answer. */
	| { end: 'answer'; answer: HttpAnswer }
	/** Look-first found the request done; `answer` is what it would have answered. */
	| { end: 'adopted'; answer: unknown }
	/** A 404 after an ambiguous attempt, for a kind whose policy says that means done. */
	| { end: 'doneEarlier' }
	/** Look-first could not tell and the policy says not to risk a repeat. */
	| { end: 'inconclusive'; failure: Failure; finding: string }
	/**
	 * The request failed; `note` says what the policy did. `ambiguousSeen`: an attempt lost its
	 * answer, so a write may have been applied although the request failed.
	 */
	| { end: 'gaveUp'; failure: Failure; note: string; ambiguousSeen: boolean };

/** Why the loop gave up, for `giveUpNote`. */
export type GiveUpReason =
	/** A failure the policy never retries (400, 401, 404, an unresolvable host, …). */
	| { why: 'final'; attempt: number }
	/** An ambiguous failure of a kind that is not sent again after one. */
	| { why: 'notRepeatable'; attempt: number }
	/** The last of `maxAttempts` failed. */
	| { why: 'attempts'; attempt: number }
	/** The server asked for a wait longer than the budget has left. */
	| { why: 'retryAfterOverBudget'; waitMs: number; leftMs: number; budgetMs: number }
	/** The backoff would end after the budget. */
	| { why: 'budget'; attempt: number; elapsedMs: number; budgetMs: number };

/** What the loop does after a failed attempt. `look`: ask look-first first (after the wait, when retrying). */
export type Decision =
	| { action: 'doneEarlier' }
	| { action: 'retry'; delayMs: number; look: boolean }
	| { action: 'giveUp'; reason: GiveUpReason; look: boolean };

export interface DecisionInput {
	attempt: number;
	maxAttempts: number;
	/** An attempt of this request (this one or an earlier one) failed ambiguously. */
	ambiguousSeen: boolean;
	/** Time left of the budget now. */
	remainingMs: number;
	budgetMs: number;
	backoff: (attempt: number) => number;
}

/** The policy's answer to one failure: pure, so every kind's rules are tested as a table. */
export function decide(policy: KindPolicy, failure: Failure, input: DecisionInput): Decision {
	const { attempt, maxAttempts, ambiguousSeen } = input;
	if (failure.status === 404 && ambiguousSeen && policy.notFoundAfterAmbiguousIsDone === true) {
		// An earlier attempt that lost its answer did the work (see the policy's `why`).
		return { action: 'doneEarlier' };
	}
	if (failure.class === undefined) {
		return { action: 'giveUp', reason: { why: 'final', attempt }, look: false };
	}
	const action = failure.class === 'notProcessed' ? 'repeat' : policy.ambiguous;
	if (action === 'stop') {
		return { action: 'giveUp', reason: { why: 'notRepeatable', attempt }, look: false };
	}
	const delayMs = failure.retryAfterMs ?? input.backoff(attempt);
	if (attempt < maxAttempts && delayMs < input.remainingMs) {
		return { action: 'retry', delayMs, look: action === 'lookFirst' };
	}
	// No attempt left: after an ambiguous attempt (this one or an earlier one) a look can still find
	// that the request was done.
	const look = policy.ambiguous === 'lookFirst' && (ambiguousSeen || failure.class === 'ambiguous');
	if (attempt >= maxAttempts)
		return { action: 'giveUp', reason: { why: 'attempts', attempt }, look };
	const reason: GiveUpReason =
		failure.retryAfterMs !== undefined
			? {
					why: 'retryAfterOverBudget',
					waitMs: delayMs,
					leftMs: Math.max(0, input.remainingMs),
					budgetMs: input.budgetMs,
				}
			: // elapsedMs is filled in when the note is written (after a final look, if any).
				{ why: 'budget', attempt, elapsedMs: 0, budgetMs: input.budgetMs };
	return { action: 'giveUp', reason, look };
}

/** The one sentence (or none) that an error adds to say what the retry policy did. */
export function giveUpNote(reason: GiveUpReason): string {
	switch (reason.why) {
		case 'final':
		case 'attempts':
			return reason.attempt > 1 ? `Gave up after ${reason.attempt} attempts.` : '';
		case 'notRepeatable':
			return `${reason.attempt > 1 ? `Gave up after ${reason.attempt} attempts. ` : ''}Not sent again: the request may have reached Nucleus, and sending it a second time could do it twice. Check the result in Nucleus before running the node again.`;
		case 'retryAfterOverBudget':
			return `Nucleus asked to wait ${formatSeconds(reason.waitMs)}, more than the ${formatSeconds(reason.leftMs)} left of the ${formatSeconds(reason.budgetMs)} this request may take, so the node did not wait. Run it again after the time in the message.`;
		case 'budget':
			return `Gave up after ${reason.attempt} attempt(s) in ${formatSeconds(reason.elapsedMs)}: the next one would start after the ${formatSeconds(reason.budgetMs)} this request may take.`;
	}
}

/** One request: attempts until an answer, a look that finds it done, or a decision to give up. */
export async function runRetryLoop(input: RetryLoopInput): Promise<LoopResult> {
	const { policy, clock, look } = input;
	const started = clock();
	let deadline = started + input.budgetMs;
	let ambiguousSeen = false;

	// Bounded: `decide` gives up once `attempt` reaches maxAttempts.
	for (let attempt = 1; ; attempt++) {
		const outcome = await input.attempt(attempt);
		if ('ok' in outcome) return { end: 'answer', answer: outcome.ok };
		const failure = outcome.failure;
		const decision = decide(policy, failure, {
			attempt,
			maxAttempts: input.maxAttempts,
			ambiguousSeen,
			remainingMs: deadline - clock(),
			budgetMs: input.budgetMs,
			backoff: input.backoff,
		});
		if (failure.class === 'ambiguous') ambiguousSeen = true;
		if (decision.action === 'doneEarlier') return { end: 'doneEarlier' };

		if (decision.action === 'retry') {
			input.log({ failure, attempt, delayMs: decision.delayMs });
			await input.sleep(decision.delayMs);
			const held = clock();
			await input.beforeRetry?.();
			deadline += clock() - held;
		}

		// The one look-then-decide: was the request done after all, before it is sent again or given up?
		if (decision.look && look) {
			const found = await look.after(started);
			if (found.state === 'done') return { end: 'adopted', answer: found.answer };
			if (found.state === 'unknown' && policy.inconclusive === 'stop') {
				return { end: 'inconclusive', failure, finding: found.finding };
			}
		}

		if (decision.action === 'giveUp') {
			const reason =
				decision.reason.why === 'budget'
					? { ...decision.reason, elapsedMs: clock() - started }
					: decision.reason;
			return { end: 'gaveUp', failure, note: giveUpNote(reason), ambiguousSeen };
		}
	}
}
