/**
 * Which objects a finished job failed (pure). An item-upload error quotes the image URL it could
 * not process (`Failure when processing the image "<url>": …`, the SDK's async append test
 * `test_dataset_append_async_with_1_bad_url`); the URL is `<scheme>://<bucket>/<key>`, so the key,
 * and from it the reference ID, come back without keeping the chunk in memory while jobs run.
 */
import type { JobError } from '../../../../shared/jobs/errors';

export interface FailedObjects {
	/** key → the error text(s) that name it. */
	byKey: Map<string, string>;
	/** Errors that name no object of the bucket. */
	unmatched: string[];
}

const QUOTED = /"([a-z0-9]+:\/\/[^"]+)"/g;

export function failedObjectsOf(errors: JobError[], urlPrefix: string): FailedObjects {
	const byKey = new Map<string, string>();
	const unmatched: string[] = [];
	for (const error of errors) {
		let found = false;
		for (const m of error.text.matchAll(QUOTED)) {
			if (!m[1].startsWith(urlPrefix)) continue;
			const key = m[1].slice(urlPrefix.length);
			if (!key) continue;
			found = true;
			const before = byKey.get(key);
			if (before === undefined) byKey.set(key, error.text);
			else if (!before.includes(error.text)) byKey.set(key, `${before}\n${error.text}`);
		}
		if (!found) unmatched.push(error.text);
	}
	return { byKey, unmatched };
}
