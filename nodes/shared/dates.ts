/**
 * Reading dates (pure), the same way on every host whatever its time zone:
 * - `readUserDateTime`: a date a user gives (a filter such as Job → Get Many's Created After). A
 *   date-time without a zone, which is what n8n's date picker stores, is wall time in the
 *   workflow's time zone (`getTimezone()`: the workflow's setting, else the instance's); a number is
 *   epoch milliseconds (`{{ $now.toMillis() }}`); a luxon DateTime or a Date is taken as is.
 * - `readServerTime`: a time Nucleus sends (a job's `job_creation_time`). One without a zone is read
 *   as UTC: the API does not document the zone of its times, and the Python SDK
 *   (scaleapi/nucleus-python-client, nucleus/job.py) hands them on as they come.
 *
 * `Date.parse` is not used on zone-less text: it reads a date-time without a zone in the host's
 * zone, which is neither of the above.
 */

/** The years a date may have: from the Unix epoch to the last year `POST jobs/`' day strings can hold. */
export const MIN_DATE_MS = 0; // 1970-01-01T00:00:00Z
export const MAX_DATE_MS = Date.UTC(9999, 11, 30, 23, 59, 59, 999); // a day short: filters add a day of margin

/** 400 Gregorian years, in ms (146,097 days). */
const YEARS_400_MS = 146_097 * 86_400_000;

const ISO =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$/i;

const TO_ISO_STRING = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** RFC 7231 dates with their zone ("Mon, 30 Nov 2026 10:30:00 GMT"), what a Python server may send. */
const HTTP_DATE =
	/^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}(?::\d{2})? (?:GMT|UTC|[+-]\d{4})$/;

interface IsoParts {
	/** The date and time as if it were UTC, in ms. */
	wallMs: number;
	/** The offset the text names, in ms (east positive); undefined when it names none. */
	offsetMs?: number;
}

/** An ISO 8601 date or date-time (a space may stand for the T), checked field by field. */
function parseIso(text: string): IsoParts | undefined {
	const m = ISO.exec(text);
	if (!m) return undefined;
	const year = Number(m[1]);
	const month = Number(m[2]);
	const day = Number(m[3]);
	const hour = m[4] ? Number(m[4]) : 0;
	const minute = m[5] ? Number(m[5]) : 0;
	const second = m[6] ? Number(m[6]) : 0;
	const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
	if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
		return undefined;
	}
	// Date.UTC reads the years 0–99 as 1900–1999: shift by 400 years (the calendar repeats) and back.
	const shift = year < 100 ? 400 : 0;
	const wallMs =
		Date.UTC(year + shift, month - 1, day, hour, minute, second, ms) - shift * YEARS_400_MS;
	if (new Date(wallMs).getUTCDate() !== day) return undefined; // 2026-02-30
	const zone = m[8]?.toUpperCase();
	if (zone === undefined) return { wallMs };
	if (zone === 'Z' || zone === 'UTC' || zone === 'GMT') return { wallMs, offsetMs: 0 };
	const digits = zone.replace(':', '');
	const offsetMinutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0);
	if (offsetMinutes > 18 * 60) return undefined;
	return { wallMs, offsetMs: (zone[0] === '-' ? -1 : 1) * offsetMinutes * 60_000 };
}

function inRange(ms: number): boolean {
	return Number.isFinite(ms) && ms >= MIN_DATE_MS && ms <= MAX_DATE_MS;
}

/** How far `zone`'s wall clock is ahead of UTC at the instant `ms`. Throws RangeError for an unknown zone. */
function zoneOffsetMs(ms: number, zone: string): number {
	const parts = new Intl.DateTimeFormat('en-US', {
		timeZone: zone,
		hourCycle: 'h23',
		year: 'numeric',
		month: 'numeric',
		day: 'numeric',
		hour: 'numeric',
		minute: 'numeric',
		second: 'numeric',
	}).formatToParts(new Date(ms));
	const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
	const wall = new Date(0);
	wall.setUTCFullYear(field('year'), field('month') - 1, field('day'));
	wall.setUTCHours(field('hour'), field('minute'), field('second'), 0);
	return wall.getTime() - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The instant at which `zone`'s clock shows `wallMs`. A wall time a clock change skips is read with
 * the offset before the change (it lands after the gap); one it repeats, with one of its two offsets.
 */
export function wallTimeInZone(wallMs: number, zone: string): number {
	const guess = wallMs - zoneOffsetMs(wallMs, zone);
	const offset = zoneOffsetMs(guess, zone);
	const corrected = wallMs - offset;
	return zoneOffsetMs(corrected, zone) === offset ? corrected : guess;
}

/**
 * A time as Nucleus sends it, in epoch ms, or null when it is missing or not a time this reads: ISO
 * 8601 with a zone as given, without one as UTC; an HTTP date; a number (or a text of 9+ digits) as
 * epoch seconds below 1e11 (before the year 5138) and as epoch milliseconds above.
 */
export function readServerTime(value: unknown): number | null {
	let ms: number;
	if (
		typeof value === 'number' ||
		(typeof value === 'string' && /^\d{9,}(\.\d+)?$/.test(value.trim()))
	) {
		const n = Number(value);
		ms = Math.abs(n) < 1e11 ? n * 1000 : n;
	} else if (typeof value === 'string') {
		const text = value.trim();
		// The form toISOString writes (what the trigger stores): exact in Date.parse on every host, and fast.
		if (TO_ISO_STRING.test(text)) {
			const parsed = Date.parse(text);
			// Date.parse rolls 2026-02-30 over into March: not a date.
			return new Date(parsed).getUTCDate() === Number(text.slice(8, 10)) ? parsed : null;
		}
		const iso = parseIso(text);
		if (iso) ms = iso.wallMs - (iso.offsetMs ?? 0);
		else if (HTTP_DATE.test(text)) ms = Date.parse(text);
		else return null;
	} else {
		return null;
	}
	ms = Math.floor(ms);
	return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

export type UserDateTime = { ms: number } | { problem: string };

function isLuxonLike(value: object): value is { toMillis(): number; isValid?: boolean } {
	return typeof (value as { toMillis?: unknown }).toMillis === 'function';
}

/**
 * A date and time a user gave, in epoch ms, read in the workflow's time zone `zone` when it names
 * none; or what is wrong with it, as the end of a sentence that starts with the field's name and
 * value ("Created Before '…' is out of range …"). Empty values are the caller's business.
 */
export function readUserDateTime(value: unknown, zone: string): UserDateTime {
	const notDate = { problem: 'is not a date and time' };
	const outOfRange = {
		problem: 'is out of range: use a date between the years 1970 and 9999',
	};
	let ms: number;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return notDate;
		ms = value;
	} else if (value instanceof Date) {
		ms = value.getTime();
	} else if (typeof value === 'object' && value !== null && isLuxonLike(value)) {
		if (value.isValid === false) return notDate;
		ms = value.toMillis();
	} else if (typeof value === 'string') {
		const text = value.trim();
		if (/^-?\d+$/.test(text)) {
			ms = Number(text);
		} else {
			// Beyond what the ISO pattern holds (e.g. +275760-09-13): a date, but not one of ours.
			if (/^[+-]\d{6}-/.test(text) && !Number.isNaN(Date.parse(text))) return outOfRange;
			const iso = parseIso(text);
			if (!iso) return notDate;
			if (iso.offsetMs !== undefined) {
				ms = iso.wallMs - iso.offsetMs;
			} else {
				try {
					ms = wallTimeInZone(iso.wallMs, zone);
				} catch {
					return { problem: `cannot be read in the workflow's time zone "${zone}"` };
				}
			}
		}
	} else {
		return notDate;
	}
	if (Number.isNaN(ms)) return notDate;
	return inRange(ms) ? { ms: Math.floor(ms) } : outOfRange;
}
