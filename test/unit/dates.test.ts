/**
 * Reading dates (shared/dates.ts), whatever zone the host runs in: a user's date-time without a zone
 * is in the workflow's zone, numbers are epoch milliseconds, dates out of range say so; a time
 * Nucleus sends without a zone is UTC.
 *
 * This process runs in America/Los_Angeles, so reading in the host's zone shows on any machine.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { readServerTime, readUserDateTime, wallTimeInZone } from '../../nodes/shared/dates';

// Node reads TZ again when it is assigned.
process.env.TZ = 'America/Los_Angeles';

const utc = (iso: string) => Date.parse(iso);

describe('a date a user gives (readUserDateTime)', () => {
	const cases: Array<[string, unknown, string, number | RegExp]> = [
		['date picker value, Tokyo', '2026-11-30T10:00:00', 'Asia/Tokyo', utc('2026-11-30T01:00:00Z')],
		['date picker value, UTC', '2026-11-30T10:00:00', 'UTC', utc('2026-11-30T10:00:00Z')],
		[
			'space for the T, minutes only',
			'2026-11-30 10:00',
			'Asia/Tokyo',
			utc('2026-11-30T01:00:00Z'),
		],
		['date only: midnight in the zone', '2026-11-30', 'Asia/Tokyo', utc('2026-11-29T15:00:00Z')],
		['milliseconds kept', '2026-11-30T10:00:00.250', 'UTC', utc('2026-11-30T10:00:00.250Z')],
		[
			'New York, summer (UTC−4)',
			'2026-07-01T12:00:00',
			'America/New_York',
			utc('2026-07-01T16:00:00Z'),
		],
		[
			'New York, winter (UTC−5)',
			'2026-01-15T12:00:00',
			'America/New_York',
			utc('2026-01-15T17:00:00Z'),
		],
		['Kathmandu (UTC+5:45)', '2026-11-30T05:45:00', 'Asia/Kathmandu', utc('2026-11-30T00:00:00Z')],
		[
			'skipped by the clock change: after the gap',
			'2026-03-08T02:30:00',
			'America/New_York',
			utc('2026-03-08T07:30:00Z'),
		],
		['with Z: as given', '2026-11-30T10:00:00Z', 'Asia/Tokyo', utc('2026-11-30T10:00:00Z')],
		[
			'with an offset: as given',
			'2026-11-30T10:00:00+02:00',
			'Asia/Tokyo',
			utc('2026-11-30T08:00:00Z'),
		],
		['luxon toISO() form', '2026-11-30T10:00:00.000+09:00', 'UTC', utc('2026-11-30T01:00:00Z')],
		['epoch ms as a number', 1_796_000_000_000, 'Asia/Tokyo', 1_796_000_000_000],
		['epoch ms as digits', '1796000000000', 'Asia/Tokyo', 1_796_000_000_000],
		['a Date', new Date('2026-11-30T10:00:00Z'), 'Asia/Tokyo', utc('2026-11-30T10:00:00Z')],
		[
			'a luxon-like DateTime',
			{ toMillis: () => 1_796_000_000_000, isValid: true },
			'UTC',
			1_796_000_000_000,
		],
		['the epoch', 0, 'UTC', 0],
		['not a date', 'next tuesday', 'UTC', /not a date and time/],
		['the 30th of February', '2026-02-30T10:00:00', 'UTC', /not a date and time/],
		['hour 25', '2026-11-30T25:00:00', 'UTC', /not a date and time/],
		['an invalid DateTime', { toMillis: () => NaN, isValid: false }, 'UTC', /not a date and time/],
		['Infinity', Infinity, 'UTC', /not a date and time/],
		['a boolean', true, 'UTC', /not a date and time/],
		['an invalid Date', new Date('x'), 'UTC', /not a date and time/],
		[
			'the last day a JavaScript date holds',
			'+275760-09-13T00:00:00Z',
			'UTC',
			/out of range.*1970 and 9999/,
		],
		['epoch ms beyond it', 9e15, 'UTC', /out of range/],
		['the year 10000 in ms', Date.UTC(10000, 0, 1), 'UTC', /out of range/],
		['before 1970', '1969-12-31T23:59:59Z', 'UTC', /out of range/],
		['a negative number', -1, 'UTC', /out of range/],
		['an unknown zone', '2026-11-30T10:00:00', 'Mars/Olympus', /time zone "Mars\/Olympus"/],
	];
	for (const [what, value, zone, expected] of cases) {
		test(what, () => {
			const read = readUserDateTime(value, zone);
			if (typeof expected === 'number') assert.deepEqual(read, { ms: expected });
			else assert.match('problem' in read ? read.problem : `ms ${read.ms}`, expected);
		});
	}

	test('a wall time in a zone, around a clock change (Berlin, 2026-10-25 03:00 → 02:00)', () => {
		assert.equal(
			wallTimeInZone(utc('2026-10-25T01:30:00Z'), 'Europe/Berlin'),
			utc('2026-10-24T23:30:00Z'),
		);
		assert.equal(
			wallTimeInZone(utc('2026-10-25T03:30:00Z'), 'Europe/Berlin'),
			utc('2026-10-25T02:30:00Z'),
		);
		const repeated = wallTimeInZone(utc('2026-10-25T02:30:00Z'), 'Europe/Berlin');
		assert.ok(
			[utc('2026-10-25T00:30:00Z'), utc('2026-10-25T01:30:00Z')].includes(repeated),
			'a repeated wall time is one of its two instants',
		);
	});
});

describe('a time Nucleus sends (readServerTime)', () => {
	const cases: Array<[string, unknown, number | null]> = [
		['ISO with Z', '2026-11-30T10:30:00Z', utc('2026-11-30T10:30:00Z')],
		['ISO without a zone: UTC', '2026-11-30T10:30:00', utc('2026-11-30T10:30:00Z')],
		[
			'microseconds, no zone (Python isoformat)',
			'2026-11-30T10:30:00.123456',
			utc('2026-11-30T10:30:00.123Z'),
		],
		['space for the T (Python str)', '2026-11-30 10:30:00', utc('2026-11-30T10:30:00Z')],
		['with an offset', '2026-11-30T10:30:00+09:00', utc('2026-11-30T01:30:00Z')],
		['offset without a colon', '2026-11-30T10:30:00-0130', utc('2026-11-30T12:00:00Z')],
		['an HTTP date', 'Mon, 30 Nov 2026 10:30:00 GMT', utc('2026-11-30T10:30:00Z')],
		['epoch ms', 1_796_034_600_000, 1_796_034_600_000],
		['epoch seconds', 1_796_034_600, 1_796_034_600_000],
		['epoch seconds with a fraction', 1_796_034_600.5, 1_796_034_600_500],
		['epoch seconds as text', '1796034600', 1_796_034_600_000],
		['text that is no date', 'recently', null],
		['an HTTP date without its zone', 'Mon, 30 Nov 2026 10:30:00', null],
		['a month 13', '2026-13-01T00:00:00', null],
		['the 30th of February, as toISOString writes', '2026-02-30T00:00:00.000Z', null],
		['as toISOString writes', '2026-03-10T12:00:00.000Z', utc('2026-03-10T12:00:00Z')],
		['empty', '', null],
		['null', null, null],
		['an object', { t: 1 }, null],
		['NaN', NaN, null],
		['beyond what a date holds', 1e20, null],
	];
	for (const [what, value, expected] of cases) {
		test(what, () => assert.equal(readServerTime(value), expected));
	}
});
