/**
 * Job routes (the Python SDK scaleapi/nucleus-python-client: `nucleus/async_job.py`,
 * `NucleusClient.get_job`, `NucleusClient.list_jobs`): status, errors, info and `POST jobs/` (the SDK's trailing slash is ignored).
 * Bodies come from ../jobs.ts (statusBody, errorsBody, infoBody).
 */
import { findJob, readBody, type Route } from '../context';
import { HttpError, send, truthy } from '../http';
import { MAX_JOBS_LIMIT } from '../rules';
import type { JobManager } from '../jobs';

export const jobRoutes: Route[] = [
	{
		// `AsyncJob.status` docstring: {job_id, status, message, job_progress, completed_steps, total_steps}.
		method: 'GET',
		path: 'job/:id',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, ctx.jobs.statusBody(findJob(ctx, params.id))),
	},
	{
		// `AsyncJob.errors` docstring: a JSON array of strings, the 10,000 most recent.
		method: 'GET',
		path: 'job/:id/errors',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, ctx.jobs.errorsBody(findJob(ctx, params.id))),
	},
	{
		// `NucleusClient.get_job`, `AsyncJob.from_json`: {job_id, job_last_known_status, job_type, job_creation_time}.
		method: 'GET',
		path: 'job/:id/info',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, ctx.jobs.infoBody(findJob(ctx, params.id))),
	},
	{
		// `NucleusClient.list_jobs` (`JobInfoRequestPayload` in `nucleus/job.py`): {dataset_id, job_types, from_date, to_date, limit, show_completed}.
		method: 'POST',
		path: 'jobs',
		async handle(ctx, { req, res }) {
			const body = await readBody(ctx, req);
			send(req, res, 200, listJobs(ctx.jobs, body));
		},
	},
];

function dayOf(v: unknown, name: string): string | undefined {
	if (v === undefined || v === null || v === '') return undefined;
	if (typeof v !== 'string')
		throw new HttpError(400, `"${name}" must be a date string (YYYY-MM-DD)`);
	if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
	const t = Date.parse(v);
	if (Number.isNaN(t)) throw new HttpError(400, `"${name}" is not a valid date: ${v}`);
	return new Date(t).toISOString().slice(0, 10);
}

/**
 * Filters: dataset, job types ([] = all), from/to day (inclusive; ASSUMPTION: compared by UTC day),
 * show_completed (false hides Completed), limit (<= 50,000); newest first (ASSUMPTION: order unknown).
 */
function listJobs(jobs: JobManager, body: Record<string, unknown>): unknown[] {
	const dsId = body.dataset_id;
	if (dsId !== undefined && dsId !== null && typeof dsId !== 'string') {
		throw new HttpError(400, '"dataset_id" must be a string or null');
	}
	const types = body.job_types ?? [];
	if (!Array.isArray(types) || types.some((t) => typeof t !== 'string')) {
		throw new HttpError(400, '"job_types" must be a list of strings');
	}
	const from = dayOf(body.from_date, 'from_date');
	const to = dayOf(body.to_date, 'to_date');
	const limit = body.limit ?? MAX_JOBS_LIMIT;
	if (
		typeof limit !== 'number' ||
		!Number.isInteger(limit) ||
		limit < 1 ||
		limit > MAX_JOBS_LIMIT
	) {
		throw new HttpError(400, `"limit" must be an integer between 1 and ${MAX_JOBS_LIMIT}`);
	}
	const showCompleted = truthy(body.show_completed);
	const list = jobs
		.list()
		.filter((j) => {
			if (typeof dsId === 'string' && dsId !== '' && j.dataset_id !== dsId) return false;
			if (types.length > 0 && !types.includes(j.job_type)) return false;
			const day = j.job_creation_time.slice(0, 10);
			if (from && day < from) return false;
			if (to && day > to) return false;
			if (!showCompleted && j.status === 'Completed') return false;
			return true;
		})
		.sort((x, y) =>
			x.job_creation_time < y.job_creation_time
				? 1
				: x.job_creation_time > y.job_creation_time
					? -1
					: 0,
		);
	return list.slice(0, limit).map((j) => jobs.infoBody(j));
}
