/** The clamp every sleep, poll interval and heartbeat goes through (nodes/shared/timers.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { MAX_TIMER_MS, timerDelayMs } from '../../nodes/shared/timers';

const DAY_MS = 24 * 3600 * 1000;

test('timerDelayMs keeps a delay within what a timer holds and what the wait has left', () => {
	const cases: Array<[string, number, number | undefined, number]> = [
		['an ordinary interval', 5_000, undefined, 5_000],
		['zero', 0, undefined, 0],
		['a negative wish', -10, undefined, 0],
		['NaN', Number.NaN, undefined, 0],
		['exactly the timer limit', MAX_TIMER_MS, undefined, MAX_TIMER_MS],
		['one past the timer limit (2^31)', 2 ** 31, undefined, MAX_TIMER_MS],
		['29 days', 29 * DAY_MS, undefined, MAX_TIMER_MS],
		['Infinity', Infinity, undefined, MAX_TIMER_MS],
		['less left of the wait than wished', 5_000, 1_200, 1_200],
		['more left of the wait than wished', 5_000, 60_000, 5_000],
		['29 days wished, 1 s left', 29 * DAY_MS, 1_000, 1_000],
		['29 days wished and left', 29 * DAY_MS, 29 * DAY_MS, MAX_TIMER_MS],
		['the wait already over', 5_000, -3, 0],
		['NaN left', 5_000, Number.NaN, 0],
	];
	for (const [what, ms, remaining, expected] of cases) {
		assert.equal(timerDelayMs(ms, remaining), expected, what);
	}
});
