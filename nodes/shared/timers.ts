/**
 * How long a timer may be set for. Node's `setTimeout` (and so n8n-workflow's `sleep`) holds at most
 * 2^31 − 1 ms (about 24.8 days): a longer delay fires after 1 ms with a TimeoutOverflowWarning
 * (nodejs.org/api/timers.html, setTimeout). A Poll Interval of a month would then poll as fast as
 * the loop goes. Every sleep, poll interval and heartbeat goes through `timerDelayMs`.
 */

/** The longest delay a Node.js timer holds. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The delay to give a timer for a wanted `ms`: never negative, never past what is left of the wait
 * (`remainingMs`), never past MAX_TIMER_MS. A clamped sleep ends early and the caller simply checks
 * again, which is right. NaN (no usable wish) counts as 0.
 */
export function timerDelayMs(ms: number, remainingMs = Infinity): number {
	const wanted = Number.isNaN(ms) ? 0 : ms;
	const left = Number.isNaN(remainingMs) ? 0 : remainingMs;
	return Math.max(0, Math.min(wanted, left, MAX_TIMER_MS));
}
