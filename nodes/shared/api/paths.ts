/**
 * The one place where API routes are built from IDs (every operation, the trigger and the dataset
 * search use it), and the checks of IDs that users type.
 *
 * Why a value cannot change the route:
 * - Every ID becomes exactly one path segment, percent-encoded with nothing left unescaped (`/`, `?`,
 *   `#`, `%` and spaces included), as the SDK's `sanitize_string_args` does (`nucleus/url_utils.py`). After
 *   encoding a segment holds only letters, digits, `-`, `_`, `.`, `~` and `%XX`.
 * - A segment that is `.` or `..` would still be removed by URL parsing (`dataset/ds_x/refloc/..`
 *   becomes `dataset/ds_x/`, the dataset itself). Percent-encoding does not help: `%2E` is the same
 *   character as `.` (RFC 3986 2.3, 6.2.2.2), and WHATWG URL parsing, which undici uses, collapses
 *   `%2E%2E` as well. So such a value is refused, never sent. An empty segment is refused too.
 * - The route builders check this themselves (`UnsafePathError`), so a caller that forgot to validate
 *   an ID, or an ID that came from a server answer, still cannot reach another route.
 *
 * The `*Problem` functions check IDs typed by users (before any request) and return why a value is
 * unusable, or undefined.
 */
import { OperationalError } from 'n8n-workflow';

import { oneLine } from '../text';
import { encodePathSegment } from '../transport';

/** A Nucleus dataset ID, as the By ID mode of the dataset picker accepts it (shared/descriptions.ts). */
export const DATASET_ID_PATTERN = /^ds_[A-Za-z0-9_-]+$/;

/**
 * A job ID as a user gives it: `job_` and letters, digits, `_` or `-`, the only shape the API and the
 * SDK show (the docstrings of `Dataset.loc` and `AsyncJob`). IDs read from Nucleus's own answers are not held to
 * this shape, only to the path rules, because the server is the authority on its IDs.
 */
export const JOB_ID_PATTERN = /^job_[A-Za-z0-9_-]+$/;

export const MAX_ID_LENGTH = 200;

export const DATASET_ID_HINT =
	'Dataset IDs start with "ds_" followed by letters and digits, e.g. ds_bw6de8s84pe0vbn6p5zg. Pick the dataset from the list or copy its ID from Nucleus.';

export const JOB_ID_HINT =
	'Job IDs start with "job_" followed by letters and digits, e.g. job_c4rmsk8arvzg0cqkc6e0; Append Items returns them as job_id.';

/** Thrown by a route builder given a value that would not stay one path segment. Nothing is sent. */
export class UnsafePathError extends OperationalError {
	readonly description: string;

	constructor(message: string, description: string) {
		super(message);
		this.description = description;
	}
}

function quoted(value: string): string {
	return `'${oneLine(value, 60)}'`;
}

/** Why `value` cannot be one path segment, or undefined when it can. */
export function segmentProblem(value: string): string | undefined {
	if (value.length === 0) return 'is empty';
	if (value === '.' || value === '..') {
		return `${quoted(value)} cannot be sent in a URL path: URL parsing removes a "${value}" segment (even percent-encoded), so the request would reach another route`;
	}
	try {
		encodeURIComponent(value);
	} catch {
		return `${quoted(value)} is not valid Unicode text (it has an unpaired surrogate)`;
	}
	return undefined;
}

/** One path segment for `value`, or an UnsafePathError (the route is never built). */
function segment(value: unknown, what: string): string {
	if (typeof value !== 'string') {
		throw new UnsafePathError(
			`The ${what} must be text to be sent in a URL path, but is ${typeof value}`,
			'Nothing was sent.',
		);
	}
	const problem = segmentProblem(value);
	if (problem) {
		throw new UnsafePathError(`The ${what} ${problem}`, 'Nothing was sent.');
	}
	return encodePathSegment(value);
}

/** Routes relative to the Base URL (the SDK's `nucleus/dataset.py`, `nucleus/async_job.py`); every ID is one encoded segment. */
export const routes = {
	datasetCreate: (): string => 'dataset/create',
	datasetDetails: (): string => 'dataset/details',
	/** `DELETE dataset/{id}`: the dataset with all its items, annotations and predictions. */
	dataset: (datasetId: string): string => `dataset/${segment(datasetId, 'dataset ID')}`,
	datasetInfo: (datasetId: string): string => `dataset/${segment(datasetId, 'dataset ID')}/info`,
	/** `GET dataset/{id}/size` → `{count}` (the SDK's Dataset.size). */
	datasetSize: (datasetId: string): string => `dataset/${segment(datasetId, 'dataset ID')}/size`,
	datasetItemsPage: (datasetId: string): string =>
		`dataset/${segment(datasetId, 'dataset ID')}/itemsPage`,
	/** `POST dataset/{id}/metadata?async=0|1`: merge item metadata (Update Metadata). */
	datasetMetadata: (datasetId: string): string =>
		`dataset/${segment(datasetId, 'dataset ID')}/metadata`,
	/** `GET`/`DELETE dataset/{id}/refloc/{reference_id}`: one item by its reference ID. */
	datasetItem: (datasetId: string, referenceId: string): string =>
		`dataset/${segment(datasetId, 'dataset ID')}/refloc/${segment(referenceId, 'reference ID')}`,
	job: (jobId: string): string => `job/${segment(jobId, 'job ID')}`,
	jobErrors: (jobId: string): string => `job/${segment(jobId, 'job ID')}/errors`,
	jobInfo: (jobId: string): string => `job/${segment(jobId, 'job ID')}/info`,
	jobList: (): string => 'jobs/',
};

// ---------------------------------------------------------------------------------------------
// IDs typed by users

export interface IdProblem {
	message: string;
	description: string;
}

function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing (undefined)';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value} (${oneLine(String(value), 40)})`;
}

/** A dataset ID (already trimmed by the caller or not): `ds_…`, as Append checks it. */
export function datasetIdProblem(value: unknown, prefix = ''): IdProblem | undefined {
	if (typeof value !== 'string') {
		return {
			message: `${prefix}Dataset ID must be text, but got ${describeValue(value)}`,
			description: DATASET_ID_HINT,
		};
	}
	if (value.length === 0) {
		return { message: `${prefix}Dataset is empty`, description: DATASET_ID_HINT };
	}
	if (value.length > MAX_ID_LENGTH || !DATASET_ID_PATTERN.test(value)) {
		return {
			message: `${prefix}Dataset ID "${oneLine(value, 60)}" is not a Nucleus dataset ID`,
			description: DATASET_ID_HINT,
		};
	}
	return undefined;
}

/** A job ID typed by a user: `job_…` (see JOB_ID_PATTERN), at most MAX_ID_LENGTH characters. */
export function jobIdProblem(value: unknown, prefix = ''): IdProblem | undefined {
	if (typeof value !== 'string') {
		return {
			message: `${prefix}Job ID must be text, but got ${describeValue(value)}`,
			description: JOB_ID_HINT,
		};
	}
	if (value.length === 0) return { message: `${prefix}Job ID is empty`, description: JOB_ID_HINT };
	if (value.length > MAX_ID_LENGTH || !JOB_ID_PATTERN.test(value)) {
		return {
			message: `${prefix}Job ID ${quoted(value)} is not a job ID (job_ and letters, digits, _ or -, at most ${MAX_ID_LENGTH} characters)`,
			description: JOB_ID_HINT,
		};
	}
	return undefined;
}

/**
 * An ID read from a Nucleus answer (a job in the job list, a created dataset): any text the server
 * uses, as long as it is one path segment without whitespace.
 */
export function serverIdProblem(value: unknown): string | undefined {
	if (typeof value !== 'string') return `is ${describeValue(value)}, not text`;
	if (value.length > MAX_ID_LENGTH) return `is longer than ${MAX_ID_LENGTH} characters`;
	if (/\s/.test(value)) return `${quoted(value)} contains whitespace`;
	return segmentProblem(value);
}

/**
 * A reference ID for `refloc`: any characters are legal (they are percent-encoded), except what
 * cannot be one path segment (`.`, `..`) and empty or whitespace-only values (Append refuses those,
 * so no such item can be stored by this node). A whole number is taken as its decimal text, as Append
 * does.
 */
export function readReferenceId(
	value: unknown,
	prefix = '',
): { ok: true; value: string } | ({ ok: false } & IdProblem) {
	const fix =
		"Set 'Reference ID' to the item's reference ID as it was appended, e.g. {{ $json.reference_id }}.";
	if (typeof value === 'number' && Number.isSafeInteger(value)) {
		return { ok: true, value: String(value) };
	}
	if (typeof value !== 'string') {
		return {
			ok: false,
			message: `${prefix}Reference ID must be text, but got ${describeValue(value)}`,
			description: fix,
		};
	}
	if (value.trim().length === 0) {
		return { ok: false, message: `${prefix}Reference ID is empty`, description: fix };
	}
	const problem = segmentProblem(value);
	if (problem) {
		const dots = value === '.' || value === '..';
		return {
			ok: false,
			message: `${prefix}Reference ID ${problem}`,
			description: dots
				? 'Nothing was sent. Nucleus addresses an item by its reference ID in the URL path (dataset/{id}/refloc/{reference_id}), where "." and ".." cannot be used; remove such an item in the Nucleus dashboard.'
				: `Nothing was sent. ${fix}`,
		};
	}
	return { ok: true, value };
}
