/**
 * The retry cap of objects whose image Nucleus could not read (pure). The dataset is the record of
 * what was ingested, so a failed object is simply absent and offered again on the next run; these
 * counts, kept in the workflow's static data, stop an object from being offered for ever: after
 * Max Attempts failed runs it is left out (and counted) until it changes or leaves the bucket.
 *
 * The record stays small: an entry is dropped once the dataset holds the item or the object is no
 * longer listed, and at most MAX_TRACKED entries are kept (the oldest go first).
 */
export const MAX_TRACKED = 10_000;

/** reference ID → failed runs so far. Plain JSON, as n8n saves static data. */
export type FailureCounts = Record<string, number>;

export function readFailureCounts(raw: unknown): FailureCounts {
	const out: FailureCounts = {};
	if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return out;
	for (const [ref, n] of Object.entries(raw as Record<string, unknown>)) {
		if (typeof n === 'number' && Number.isInteger(n) && n > 0) out[ref] = n;
	}
	return out;
}

export function isGivenUp(
	counts: FailureCounts,
	referenceId: string,
	maxAttempts: number,
): boolean {
	return (counts[referenceId] ?? 0) >= maxAttempts;
}

/**
 * The counts after a run: +1 for each reference ID that failed now; entries of items the dataset
 * holds, or of objects the run did not list, dropped. `listed` is only consulted after a complete
 * listing (a partial one cannot say an object is gone).
 */
export function nextFailureCounts(
	previous: FailureCounts,
	failedNow: Iterable<string>,
	isStored: (referenceId: string) => boolean,
	listed?: (referenceId: string) => boolean,
): FailureCounts {
	const next: FailureCounts = {};
	const failed = new Set(failedNow);
	for (const [ref, n] of Object.entries(previous)) {
		if (failed.has(ref) || isStored(ref)) continue;
		if (listed && !listed(ref)) continue;
		next[ref] = n;
	}
	// Failed now last, so they are the newest when the oldest are dropped.
	for (const ref of failed) next[ref] = (previous[ref] ?? 0) + 1;
	const refs = Object.keys(next);
	if (refs.length <= MAX_TRACKED) return next;
	const kept: FailureCounts = {};
	for (const ref of refs.slice(refs.length - MAX_TRACKED)) kept[ref] = next[ref];
	return kept;
}
