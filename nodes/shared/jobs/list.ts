/**
 * Listing jobs (pure): the `POST jobs/` filter and its body, day strings, the order jobs are listed
 * in, the list's limit and the warnings about a cut or odd list. Used by Job → Get Many
 * (actions/job/getMany.operation.ts), the trigger (ScaleNucleusTrigger/) and look-first
 * (transport/lookFirst.ts); the request itself is `listJobs` in api/jobs.ts.
 *
 * The body is the Python SDK's JobInfoRequestPayload (scaleapi/nucleus-python-client,
 * nucleus/data_transfer_object/job_status.py): `dataset_id`, `job_types`, `from_date`, `to_date`,
 * `limit`, `show_completed`. The API compares
 * dates by creation day and its order is not public, so callers order the answer themselves.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ListedJob } from '../api/jobs';
import { readServerTime } from '../dates';
import { isErrorStatus } from './status';

/** `POST jobs/` returns at most this many jobs (the SDK's JOB_REQ_LIMIT, its default and maximum). */
export const JOB_LIST_LIMIT = 50_000;

export const DAY_MS = 86_400_000;

/** The UTC day of a time as `POST jobs/` takes it: YYYY-MM-DD. */
export function dayString(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** A creation time in epoch ms, or undefined when missing or unreadable (shared/dates.ts `readServerTime`: no zone is UTC). */
export function createdMs(value: unknown): number | undefined {
	return readServerTime(value) ?? undefined;
}

/** A creation time as ISO 8601 in UTC, or null when missing or unreadable. */
export function toIso(value: unknown): string | null {
	const ms = readServerTime(value);
	return ms === null ? null : new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// The request

/** The body of `POST jobs/` (the SDK's JobInfoRequestPayload). */
export interface JobListFilter {
	datasetId: string | null;
	/** Empty: every type. */
	jobTypes: string[];
	/** Day strings (YYYY-MM-DD, UTC) or null; the API compares by creation day. */
	fromDate: string | null;
	toDate: string | null;
	/** At most JOB_LIST_LIMIT. */
	limit: number;
	/** false: the API leaves Completed jobs out. */
	showCompleted: boolean;
}

/** The JSON body of `POST jobs/` for a filter. */
export function jobListBody(filter: JobListFilter): IDataObject {
	return {
		dataset_id: filter.datasetId,
		job_types: filter.jobTypes,
		from_date: filter.fromDate,
		to_date: filter.toDate,
		limit: filter.limit,
		show_completed: filter.showCompleted,
	};
}

/** Every job of one dataset created since the UTC day before `nowMs`, of every type (look-first narrows the type). */
export function recentDatasetJobsFilter(datasetId: string, nowMs: number): JobListFilter {
	return {
		datasetId,
		jobTypes: [],
		fromDate: dayString(nowMs - DAY_MS),
		toDate: null,
		limit: JOB_LIST_LIMIT,
		showCompleted: true,
	};
}

/**
 * The listed jobs that match `filter`'s job types and dataset. The server filters too; this keeps
 * the result right if it ignores a filter. An entry that does not say its type or dataset is kept.
 */
export function matchingJobs(jobs: ListedJob[], filter: JobListFilter): ListedJob[] {
	const types = new Set(filter.jobTypes);
	return jobs.filter(
		(job) =>
			(types.size === 0 || job.job_type === null || types.has(job.job_type)) &&
			(!filter.datasetId || job.dataset_id === null || job.dataset_id === filter.datasetId),
	);
}

// ---------------------------------------------------------------------------------------------
// Job → Get Many's query: an exact time window and statuses, applied to the answer

export interface JobListQuery {
	datasetId: string | null;
	jobTypes: string[];
	statuses: string[];
	/** Epoch ms, inclusive. */
	after: number | null;
	/** Epoch ms, exclusive. */
	before: number | null;
}

/**
 * The `POST jobs/` body for a query. The API compares dates by day and whether its bounds are
 * inclusive is not public, so a day of margin is asked for on each side and the exact window is
 * applied to the answer (`matchesQuery`). Completed jobs are asked for unless the statuses leave them
 * out. Always the largest list (the SDK's default too): the API's order is not public, so the newest
 * jobs are chosen here, after filtering.
 */
export function jobListFilter(query: JobListQuery): JobListFilter {
	return {
		datasetId: query.datasetId,
		jobTypes: query.jobTypes,
		fromDate: query.after === null ? null : dayString(query.after - DAY_MS),
		toDate: query.before === null ? null : dayString(query.before + DAY_MS),
		limit: JOB_LIST_LIMIT,
		showCompleted: query.statuses.length === 0 || query.statuses.includes('Completed'),
	};
}

function statusMatches(status: string, filters: string[]): boolean {
	return filters.some((f) =>
		f === 'Errored' ? isErrorStatus(status) : status.toLowerCase() === f.toLowerCase(),
	);
}

/** Whether a listed job is in the query's exact time window and statuses (a job of unknown time is not, once a window is set). */
export function matchesQuery(job: ListedJob, query: JobListQuery): boolean {
	if (query.statuses.length > 0 && !statusMatches(job.status, query.statuses)) return false;
	if (query.after === null && query.before === null) return true;
	const ms = createdMs(job.job_creation_time);
	if (ms === undefined) return false;
	return (
		(query.after === null || ms >= query.after) && (query.before === null || ms < query.before)
	);
}

// ---------------------------------------------------------------------------------------------
// Order

/**
 * Sorted by creation time (oldest or newest first); jobs of unknown creation time always last (they
 * count as newest when oldest come first); ties by job ID. `key` gives an entry's job ID and creation
 * time. Stable, and the input is not modified.
 */
export function sortByCreation<T>(
	items: readonly T[],
	key: (item: T) => readonly [jobId: string, created: unknown],
	order: 'oldestFirst' | 'newestFirst' = 'oldestFirst',
): T[] {
	const sign = order === 'newestFirst' ? -1 : 1;
	return items
		.map((item) => {
			const [id, created] = key(item);
			return { item, id, ms: createdMs(created) };
		})
		.sort((a, b) => {
			if (a.ms !== b.ms) {
				if (a.ms === undefined) return 1;
				if (b.ms === undefined) return -1;
				return sign * (a.ms - b.ms);
			}
			return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
		})
		.map((entry) => entry.item);
}

/** Listed jobs newest first; jobs of unknown creation time last; ties by job ID. */
export function newestFirst(jobs: readonly ListedJob[]): ListedJob[] {
	return sortByCreation(jobs, (job) => [job.job_id, job.job_creation_time], 'newestFirst');
}

// ---------------------------------------------------------------------------------------------
// Warnings

/**
 * The warnings a listing deserves: entries left out for want of a usable job ID, and a list that
 * reached the limit (it may be cut). `node` names the node in the log; `whenCut` says what a cut list
 * means for it and what to do.
 */
export function jobListWarnings(
	listed: { skipped: number; firstSkipped?: string; reachedLimit: boolean; beyondLimit?: number },
	node: string,
	whenCut: string,
): string[] {
	const warnings: string[] = [];
	if (listed.skipped > 0) {
		warnings.push(
			`${node}: ${listed.skipped} entr${listed.skipped === 1 ? 'y' : 'ies'} of the job list (POST jobs/) had no usable job ID and were skipped (${listed.firstSkipped})`,
		);
	}
	if (listed.beyondLimit) {
		warnings.push(
			`${node}: the job list (POST jobs/) answered ${listed.beyondLimit} more entr${listed.beyondLimit === 1 ? 'y' : 'ies'} than the limit of ${JOB_LIST_LIMIT} it was asked for; only the first ${JOB_LIST_LIMIT} were read, so ${whenCut}`,
		);
	} else if (listed.reachedLimit) {
		warnings.push(
			`${node}: the job list reached the API's limit of ${JOB_LIST_LIMIT} jobs; ${whenCut}`,
		);
	}
	return warnings;
}
