/**
 * Job → Get Many: the account's AsyncJobs through `POST jobs/` (the Python SDK's `list_jobs`),
 * filtered by dataset, job type, status and creation time, newest first. Created After/Before are
 * read by shared/dates.ts (no zone: the workflow's time zone; numbers: epoch milliseconds). One item
 * per job with the fields of Job → Get Status (`status`, `succeeded`, `errored`, `final`, `progress`, …) plus `job_type`,
 * `dataset_id` and `job_creation_time`. The list carries only each job's last known status; the
 * option Include Progress reads `GET job/{id}` for every listed job to fill progress, steps and message.
 * The list's answer is checked in shared/api/jobs.ts (readJobList): a body that is not a list is an
 * UnexpectedAnswerError, and an entry without a usable job ID is skipped with a warning. The query's
 * window, statuses and order are applied in shared/jobs/list.ts. The Dataset filter and Limit are
 * checked before any request (shared/api/paths.ts, shared/options.ts).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getJobStatus, listJobs, type ListedJob } from '../../../shared/api/jobs';
import { datasetIdProblem } from '../../../shared/api/paths';
import { readUserDateTime } from '../../../shared/dates';
import {
	datasetLocator,
	maxAttemptsOption,
	requestTimeoutOption,
} from '../../../shared/descriptions';
import { JOB_TYPES } from '../../../shared/jobTypes';
import {
	jobListFilter,
	jobListWarnings,
	matchesQuery,
	newestFirst,
	type JobListQuery,
} from '../../../shared/jobs/list';
import {
	isErrorStatus,
	isFinalStatus,
	isSuccessStatus,
	jobStatusJson,
	type JobStatusView,
} from '../../../shared/jobs/status';
import { runPool } from '../../../shared/pool';
import { oneLine } from '../../../shared/text';
import type { NucleusClient } from '../../../shared/transport';
import { limitOf, returnAllOrLimit } from '../common';

/** `GET job/{id}` requests in flight at once with Include Progress. */
const DETAIL_CONCURRENCY = 4;

const properties: INodeProperties[] = [
	...returnAllOrLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add filter',
		default: {},
		options: [
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Only jobs created at or after this time',
			},
			{
				displayName: 'Created Before',
				name: 'createdBefore',
				type: 'dateTime',
				default: '',
				description: 'Only jobs created before this time',
			},
			{
				...datasetLocator,
				required: false,
				description: 'Only the jobs of this dataset',
			},
			{
				displayName: 'Job Types',
				name: 'jobTypes',
				type: 'multiOptions',
				options: JOB_TYPES,
				default: [],
				description:
					'Only jobs of these types. Append creates Upload Dataset Items jobs, Update Metadata (asynchronous) Metadata Update jobs.',
			},
			{
				displayName: 'Statuses',
				name: 'statuses',
				type: 'multiOptions',
				options: [
					{ name: 'Cancelled', value: 'Cancelled' },
					{ name: 'Completed', value: 'Completed' },
					{ name: 'Errored (Any)', value: 'Errored' },
					{ name: 'Queued', value: 'Queued' },
					{ name: 'Running', value: 'Running' },
				],
				default: [],
				description:
					'Only jobs whose last known status is one of these (Errored (Any) matches every Errored* status)',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Include Progress',
				name: 'includeProgress',
				type: 'boolean',
				default: false,
				description:
					"Whether to read each listed job's current status, progress, steps and message (one request per job, four at a time)",
			},
			maxAttemptsOption,
			requestTimeoutOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getMany'] } },
	properties,
);

/** A listed job as Job → Get Status shows a job (progress, steps and message unknown from the list). */
function listedView(job: ListedJob): JobStatusView {
	return {
		job_id: job.job_id,
		status: job.status,
		succeeded: isSuccessStatus(job.status),
		errored: isErrorStatus(job.status),
		final: isFinalStatus(job.status),
		progress: null,
		completed_steps: null,
		total_steps: null,
		message: null,
	};
}

/** A time filter in epoch ms, or null when not set; a value that is not a usable date fails the item (nothing sent). */
function timeFilter(ctx: IExecuteFunctions, value: unknown, label: string, itemIndex: number) {
	if (value === undefined || value === null || value === '') return null;
	const zone = ctx.getTimezone();
	const read = readUserDateTime(value, zone);
	if ('ms' in read) return read.ms;
	throw new NodeOperationError(
		ctx.getNode(),
		`${label} '${oneLine(shownValue(value), 60)}' ${read.problem}`,
		{
			itemIndex,
			description: `Use a date and time such as 2026-11-27T10:00:00 (read in the workflow's time zone, ${zone}), one with its zone such as 2026-11-27T10:00:00Z, or epoch milliseconds such as {{ $now.toMillis() }}. Nothing was sent.`,
		},
	);
}

function shownValue(value: unknown): string {
	if (typeof value === 'string') return value;
	if (value instanceof Date)
		return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
	if (typeof value === 'object' && value !== null) return JSON.stringify(value) ?? String(value);
	return String(value);
}

/** Reads and checks the filters of one input item (no request). */
export function readJobListQuery(ctx: IExecuteFunctions, itemIndex: number): JobListQuery {
	const filters = ctx.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	// The dataset picker's value (list or ID mode: the ID itself either way).
	const picked = filters.datasetId as { value?: unknown } | string | undefined;
	const rawId = typeof picked === 'object' && picked !== null ? picked.value : picked;
	const trimmed = typeof rawId === 'string' ? rawId.trim() : rawId;
	const datasetGiven = !(trimmed === undefined || trimmed === null || trimmed === '');
	// A typo would list no job, silently; a value that is not text must not widen the list to the account.
	const problem = datasetGiven ? datasetIdProblem(trimmed, `Item ${itemIndex}: `) : undefined;
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), problem.message, {
			itemIndex,
			description: `${problem.description} Nothing was sent for this item.`,
		});
	}
	const list = (v: unknown) =>
		Array.isArray(v)
			? [...new Set(v.filter((t): t is string => typeof t === 'string' && t !== ''))]
			: [];
	const after = timeFilter(ctx, filters.createdAfter, 'Created After', itemIndex);
	const before = timeFilter(ctx, filters.createdBefore, 'Created Before', itemIndex);
	if (after !== null && before !== null && after >= before) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Created After must be earlier than Created Before',
			{
				itemIndex,
				description: 'Nothing was sent.',
			},
		);
	}
	return {
		datasetId: datasetGiven ? (trimmed as string) : null,
		jobTypes: list(filters.jobTypes),
		statuses: list(filters.statuses),
		after,
		before,
	};
}

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject[]> {
	const query = readJobListQuery(this, itemIndex);
	const limit = limitOf(this, itemIndex);
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;

	const listed = await listJobs(client, jobListFilter(query), itemIndex);
	const cut = 'older jobs are not listed. Narrow the filters (dataset, job types, Created After).';
	for (const warning of jobListWarnings(listed, 'Scale Nucleus', cut)) this.logger.warn(warning);
	const chosen = newestFirst(listed.jobs.filter((job) => matchesQuery(job, query))).slice(0, limit);

	const views: JobStatusView[] = chosen.map(listedView);
	if (options.includeProgress === true) {
		const signal = this.getExecutionCancelSignal();
		await runPool(
			chosen.length,
			DETAIL_CONCURRENCY,
			async (k) => {
				views[k] = await getJobStatus(client, chosen[k].job_id, { itemIndex });
			},
			signal,
		);
	}
	return chosen.map((job, k) => ({
		...jobStatusJson(views[k]),
		job_type: job.job_type,
		dataset_id: job.dataset_id,
		job_creation_time: job.job_creation_time,
	}));
}
