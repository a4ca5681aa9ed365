/**
 * The AsyncJob endpoints `GET job/{id}`, `GET job/{id}/errors`, `GET job/{id}/info` and
 * `POST jobs/`, as the Python SDK calls them (scaleapi/nucleus-python-client: nucleus/async_job.py
 * `status` and `errors`, nucleus/__init__.py `get_job` and `list_jobs`). Each answer is checked
 * against the shape its caller needs before it is returned; a body that is not that shape is an
 * UnexpectedAnswerError saying what arrived (api/unexpected.ts). Routes come from api/paths.ts.
 */
import { parseJobErrors, type JobError } from '../jobs/errors';
import { jobListBody, matchingJobs, type JobListFilter } from '../jobs/list';
import { normalizeJobStatus, type JobStatusView } from '../jobs/status';
import { oneLine } from '../text';
import { runPool } from '../pool';
import type { NucleusClient } from '../transport';
import { makeAbortError } from '../transport';
import { routes, serverIdProblem } from './paths';
import type { AsyncJobInfo } from './types';
import { embeddedError, isObject, unexpectedAnswer, UnexpectedAnswerError } from './unexpected';

/** A body the transport could not read as JSON may still be JSON sent as a JSON string. */
function unwrapJsonText(raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	const t = raw.trim();
	if (!(t.startsWith('{') || t.startsWith('['))) return raw;
	try {
		return JSON.parse(t) as unknown;
	} catch {
		return raw;
	}
}

/**
 * A 2xx answer about one job that names another job: the asked job cannot be judged from it. A type
 * of its own, so that a caller watching many jobs can skip that one job and go on.
 */
export class OtherJobAnswerError extends UnexpectedAnswerError {
	constructor(
		request: string,
		readonly askedJobId: string,
		readonly answeredJobId: string,
	) {
		super(
			`Nucleus answered ${request} about another job (${answeredJobId})`,
			'The answer is not about the job asked for; nothing is reported. Check the Base URL in the credential.',
		);
	}
}

function otherJob(request: string, asked: string, answered: unknown): OtherJobAnswerError {
	return new OtherJobAnswerError(request, asked, oneLine(String(answered), 60));
}

// ---------------------------------------------------------------------------------------------
// Readers (pure)

/** `GET job/{id}` → `{job_id, status, message, job_progress, …}` (the SDK's `AsyncJob.status` docstring). */
export function readJobStatus(raw: unknown, jobId: string, request: string): JobStatusView {
	const body = unwrapJsonText(raw);
	const status = isObject(body) ? (body.status ?? body.job_last_known_status) : undefined;
	if (!isObject(body) || typeof status !== 'string' || status.trim() === '') {
		const error = embeddedError(body);
		if (error) {
			throw new UnexpectedAnswerError(
				`Nucleus answered ${request} with an error: ${error}`,
				'The request reached Nucleus (HTTP 2xx) but its body reports an error instead of a job status.',
			);
		}
		throw unexpectedAnswer(request, 'a job status (an object with "status")', raw);
	}
	if (body.job_id !== undefined && String(body.job_id) !== jobId)
		throw otherJob(request, jobId, body.job_id);
	return normalizeJobStatus(body, jobId);
}

/**
 * `GET job/{id}/errors` → a JSON array of strings (the SDK's `AsyncJob.errors`), also taken wrapped as
 * `{errors: [...]}` or sent as a JSON string. An HTML page is not a list of one error.
 */
export function readJobErrors(raw: unknown, request: string): JobError[] {
	const body = unwrapJsonText(raw);
	if (Array.isArray(body)) return parseJobErrors(body);
	if (isObject(body) && Array.isArray(body.errors)) return parseJobErrors(body.errors);
	const error = embeddedError(body);
	if (error) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with an error: ${error}`,
			'The request reached Nucleus (HTTP 2xx) but its body reports an error instead of the job errors.',
		);
	}
	throw unexpectedAnswer(request, "the job's errors (a JSON array of texts)", raw);
}

/** `GET job/{id}/info` → `{job_id, job_last_known_status, job_type, job_creation_time, …}` (`get_job`). */
export function readJobInfo(raw: unknown, jobId: string, request: string): Partial<AsyncJobInfo> {
	const body = unwrapJsonText(raw);
	if (!isObject(body) || embeddedError(body) !== undefined) {
		throw unexpectedAnswer(request, "the job's info (a JSON object)", raw);
	}
	if (body.job_id !== undefined && String(body.job_id) !== jobId)
		throw otherJob(request, jobId, body.job_id);
	const info: Partial<AsyncJobInfo> = {};
	if (typeof body.job_last_known_status === 'string')
		info.job_last_known_status = body.job_last_known_status.trim();
	if (typeof body.job_type === 'string') info.job_type = body.job_type;
	if (typeof body.job_creation_time === 'string') info.job_creation_time = body.job_creation_time;
	if (typeof body.dataset_id === 'string') info.dataset_id = body.dataset_id;
	return info;
}

/** One entry of the job list, as the API gives it (`job/{id}/info` shape), with its fields checked. */
export interface ListedJob {
	job_id: string;
	/** `job_last_known_status`, trimmed; '' when the entry has none. */
	status: string;
	job_type: string | null;
	dataset_id: string | null;
	/**
	 * As the API sends it (an ISO string in practice; a number is kept too), or null when it is
	 * neither. Read with shared/dates.ts `readServerTime` (no zone is UTC).
	 */
	job_creation_time: string | number | null;
}

/**
 * `POST jobs/` → a JSON array of AsyncJob infos (the SDK's `list_jobs`). An answer that is not a list
 * is refused. Entries that are not a job with a usable ID are left out and counted in `skipped`
 * (with the first reason), so one odd entry does not stop every poll; the caller reports them. Only
 * the first `limit` entries are read: a server that ignores the limit does not make a caller hold
 * more than it asked for (`beyondLimit` counts the rest).
 */
export function readJobList(
	raw: unknown,
	request: string,
	limit = Infinity,
): { jobs: ListedJob[]; skipped: number; firstSkipped?: string; beyondLimit: number } {
	const body = unwrapJsonText(raw);
	if (!Array.isArray(body)) {
		throw unexpectedAnswer(request, 'a list of jobs (a JSON array)', raw);
	}
	const jobs: ListedJob[] = [];
	let skipped = 0;
	let firstSkipped: string | undefined;
	const read = Math.min(body.length, limit);
	for (let index = 0; index < read; index++) {
		const entry: unknown = body[index];
		const problem = isObject(entry) ? serverIdProblem(entry.job_id) : 'the entry is not an object';
		if (problem !== undefined || !isObject(entry)) {
			skipped++;
			firstSkipped ??= `entry ${index}: job_id ${problem}`;
			continue;
		}
		const created = entry.job_creation_time;
		jobs.push({
			job_id: entry.job_id as string,
			status:
				typeof entry.job_last_known_status === 'string' ? entry.job_last_known_status.trim() : '',
			job_type: typeof entry.job_type === 'string' ? entry.job_type : null,
			dataset_id: typeof entry.dataset_id === 'string' ? entry.dataset_id : null,
			job_creation_time:
				typeof created === 'string' || (typeof created === 'number' && Number.isFinite(created))
					? created
					: null,
		});
	}
	return { jobs, skipped, firstSkipped, beyondLimit: body.length - read };
}

// ---------------------------------------------------------------------------------------------
// Requests (reads: the transport may repeat them)

export async function getJobStatus(
	client: NucleusClient,
	jobId: string,
	options: { itemIndex?: number; retry?: boolean; timeoutMs?: number } = {},
): Promise<JobStatusView> {
	const route = routes.job(jobId);
	const raw = await client.request('GET', route, {
		itemIndex: options.itemIndex,
		retry: options.retry ?? true,
		timeoutMs: options.timeoutMs,
	});
	return readJobStatus(raw, jobId, `GET ${route}`);
}

export async function getJobErrors(
	client: NucleusClient,
	jobId: string,
	itemIndex?: number,
): Promise<JobError[]> {
	const route = routes.jobErrors(jobId);
	const raw = await client.request('GET', route, { itemIndex });
	return readJobErrors(raw, `GET ${route}`);
}

export async function getJobInfo(
	client: NucleusClient,
	jobId: string,
): Promise<Partial<AsyncJobInfo>> {
	const route = routes.jobInfo(jobId);
	return readJobInfo(await client.request('GET', route), jobId, `GET ${route}`);
}

export interface JobList {
	/** The listed jobs that match the filter's types and dataset. */
	jobs: ListedJob[];
	/** Entries without a usable job ID, left out (see readJobList); the caller reports them. */
	skipped: number;
	firstSkipped?: string;
	/** The answer had `limit` entries or more: the list may be cut. */
	reachedLimit: boolean;
	/** Entries the answer had beyond `limit` (a server that ignores it), not read. */
	beyondLimit: number;
}

/**
 * `POST jobs/`: the jobs matching `filter` (the filter, its body and the limit: jobs/list.ts). The
 * answer is checked by readJobList (a body that is not a list is an UnexpectedAnswerError; entries
 * without a usable job ID are skipped and counted; entries beyond the limit are not read), then entries of another type or dataset than
 * asked for are left out.
 */
export async function listJobs(
	client: NucleusClient,
	filter: JobListFilter,
	itemIndex?: number,
): Promise<JobList> {
	const route = routes.jobList();
	const raw = await client.request('POST', route, {
		itemIndex,
		// A listing changes nothing: safe to repeat after any failure.
		kind: 'read',
		json: jobListBody(filter),
	});
	const listed = readJobList(raw, `POST ${route}`, filter.limit);
	return {
		jobs: matchingJobs(listed.jobs, filter),
		skipped: listed.skipped,
		firstSkipped: listed.firstSkipped,
		reachedLimit: listed.jobs.length + listed.skipped >= filter.limit,
		beyondLimit: listed.beyondLimit,
	};
}

/**
 * The errors of each job, `concurrency` at a time: a job whose errors cannot be read gets that
 * error instead, so one unreadable list does not hide the others. Rejects only on cancel.
 */
export async function getErrorsOfJobs(
	client: NucleusClient,
	jobIds: string[],
	options: { concurrency: number; signal?: AbortSignal },
): Promise<Map<string, JobError[] | Error>> {
	const { signal } = options;
	const errors = new Map<string, JobError[] | Error>();
	await runPool(
		jobIds.length,
		options.concurrency,
		async (k) => {
			try {
				errors.set(jobIds[k], await getJobErrors(client, jobIds[k]));
			} catch (error) {
				if (signal?.aborted) throw makeAbortError();
				errors.set(jobIds[k], error as Error);
			}
		},
		signal,
	);
	if (signal?.aborted) throw makeAbortError();
	return errors;
}
