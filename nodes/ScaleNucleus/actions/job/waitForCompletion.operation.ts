/**
 * Job → Wait for Completion, over the whole input at once: the Job IDs of every input item (one
 * per item, or several in a cell) are deduplicated and waited on with ONE polling loop
 * (shared/jobs/wait.ts), then the errors of the finished jobs are fetched a few at a time. A local
 * upload of 1,000 images makes about 100 jobs; they are polled together, not one wait per item.
 *
 * Output: one item per distinct job, in the order the jobs first appear, paired to every input
 * item that named it. This operation owns On Error → Continue: an unusable Job ID becomes an error
 * item paired to its input item (before any request); a job that timed out or could not be read
 * becomes an error item paired to the items that named it.
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IPairedItemData,
} from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { getErrorsOfJobs } from '../../../shared/api/jobs';
import { jobIdParameter } from '../../../shared/descriptions';
import type { JobError } from '../../../shared/jobs/errors';
import { jobStatusJson } from '../../../shared/jobs/status';
import {
	jobFailure,
	waitForJobs,
	type JobFailureHints,
	type JobWaitResult,
} from '../../../shared/jobs/wait';
import { checkNumber } from '../../../shared/options';
import type { NucleusClient } from '../../../shared/transport';
import { errorItem } from '../errorItem';
import type { OutputPromise } from '../outputInvariant';
import { JOB_ID_FIELD, groupByJob, parseJobIdCell } from './jobIds';

export const MIN_POLL_INTERVAL_S = 0.1;
export const MIN_TIMEOUT_S = 1;
/** `GET job/{id}/errors` requests in flight at once after the wait. */
const ERRORS_CONCURRENCY = 4;
/** Job IDs listed in the description of the node's error. */
const MAX_LISTED_IDS = 20;

const properties: INodeProperties[] = [
	{
		...jobIdParameter,
		description:
			'ID of the AsyncJob to wait for, e.g. {{ $json.job_id }} after Append Items. Several IDs may be given, separated by commas, spaces or new lines. The jobs of all input items are waited on together and each job is output once.',
	},
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: MIN_POLL_INTERVAL_S },
		default: 5,
		description: 'How often to check the jobs (one request per unfinished job and round)',
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: MIN_TIMEOUT_S },
		default: 3600,
		description:
			'How long to wait for all the jobs; a job not finished by then is reported with its job ID',
	},
	{
		displayName: 'Include Errors',
		name: 'includeErrors',
		type: 'boolean',
		default: true,
		description: 'Whether to fetch the errors of each job once it is finished',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['waitForCompletion'] } },
	properties,
);

/** Reads a number parameter of the run and checks it (shared/options.ts): an expression can give anything. */
function secondsParameter(
	ctx: IExecuteFunctions,
	name: string,
	label: string,
	fallback: number,
	min: number,
): number {
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter(name, 0, fallback);
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Could not evaluate ${label}: ${(error as Error).message}`,
			{ description: 'Nothing was sent.' },
		);
	}
	return checkNumber(ctx.getNode(), raw, label, fallback, { min });
}

/** What Job → Wait for Completion tells the user when a job gives no result. */
const WAIT_JOB_HINTS: JobFailureHints = {
	unread: (_jobId, cause) =>
		cause.description ??
		'Check the job ID (Append Items returns it as job_id) and the Base URL in the credential.',
	errorsUnread: (jobId) =>
		`Read them later with Job → Get Errors and Job ID ${jobId}, or turn off Include Errors.`,
};

function paired(itemIndexes: number[]): IPairedItemData[] {
	return itemIndexes.map((item) => ({ item }));
}

/**
 * Every input item comes out at least once: one item per job, paired to every input item that named
 * it (an item naming three jobs is in three), or its error item.
 */
export const output: OutputPromise = 'atLeastOnce';

/**
 * Waits until every job is Completed, Cancelled or Errored* (never stops on Queued), then outputs
 * one item per job with its status (`succeeded` for an IF node) and errors.
 */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	if (items.length === 0) return [];
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal();

	const intervalMs =
		secondsParameter(this, 'pollInterval', 'Poll Interval', 5, MIN_POLL_INTERVAL_S) * 1000;
	const timeoutMs = secondsParameter(this, 'timeout', 'Max Wait', 3600, MIN_TIMEOUT_S) * 1000;
	const includeErrorsRaw = this.getNodeParameter('includeErrors', 0, true) as unknown;
	const includeErrors = includeErrorsRaw !== false && includeErrorsRaw !== 'false';

	// Every Job ID is read and checked before the first request.
	type Slot = { kind: 'job'; jobId: string } | { kind: 'invalid'; item: INodeExecutionData };
	const slots: Slot[] = [];
	const cells: Array<{ itemIndex: number; ids: string[] }> = [];
	const problems: NodeOperationError[] = [];
	const seen = new Set<string>();
	for (let i = 0; i < items.length; i++) {
		let raw: unknown;
		let cell: ReturnType<typeof parseJobIdCell>;
		try {
			raw = this.getNodeParameter('jobId', i, '');
			cell = parseJobIdCell(raw, i);
		} catch (error) {
			cell = {
				ok: false,
				message: `Item ${i}: could not evaluate ${JOB_ID_FIELD}: ${(error as Error).message}`,
				description: 'Check the expression in Job ID.',
			};
		}
		if (!cell.ok) {
			const error = new NodeOperationError(node, cell.message, {
				itemIndex: i,
				description: cell.description,
			});
			problems.push(error);
			slots.push({ kind: 'invalid', item: errorItem(node, error, i, { field: JOB_ID_FIELD }) });
			continue;
		}
		cells.push({ itemIndex: i, ids: cell.ids });
		for (const id of cell.ids) {
			if (seen.has(id)) continue;
			seen.add(id);
			slots.push({ kind: 'job', jobId: id });
		}
	}
	if (problems.length && !continueOnFail) {
		const first = problems[0];
		first.description =
			`${first.description ? first.description + ' ' : ''}` +
			(problems.length > 1
				? `${problems.length} items have an unusable Job ID; nothing was sent. Turn on "On Error: Continue" to wait on the others and get these as error items.`
				: 'Nothing was sent.');
		throw first;
	}

	const jobs = groupByJob(cells);
	const jobIds = [...jobs.keys()];
	const waited = jobIds.length
		? await waitForJobs(client, jobIds, { intervalMs, timeoutMs, signal })
		: new Map<string, JobWaitResult>();
	const finished = jobIds.filter((id) => waited.get(id)?.state === 'final');
	const jobErrors = includeErrors
		? await getErrorsOfJobs(client, finished, { concurrency: ERRORS_CONCURRENCY, signal })
		: new Map<string, JobError[] | Error>();

	const out: INodeExecutionData[] = [];
	const failures: Array<{ jobId: string; error: NodeOperationError }> = [];
	for (const slot of slots) {
		if (slot.kind === 'invalid') {
			out.push(slot.item);
			continue;
		}
		const { jobId } = slot;
		const itemIndexes = jobs.get(jobId)!;
		const outcome = waited.get(jobId)!;
		const errors = jobErrors.get(jobId);
		const error = jobFailure(node, jobId, outcome, errors, {
			timeoutMs,
			errorsRequired: includeErrors,
			hints: WAIT_JOB_HINTS,
			itemIndex: itemIndexes[0],
		});
		if (error) {
			failures.push({ jobId, error });
			out.push({
				...errorItem(node, error, itemIndexes[0], { job_id: jobId }),
				pairedItem: paired(itemIndexes),
			});
		} else if (outcome.state === 'final') {
			// (Every job that is not final has a failure above.)
			const json: IDataObject = jobStatusJson(outcome.status);
			if (Array.isArray(errors)) {
				json.error_count = errors.length;
				json.errors = errors.map((e) => e.text);
			}
			out.push({ json, pairedItem: paired(itemIndexes) });
		}
	}

	if (failures.length && !continueOnFail) {
		const [first, ...others] = failures;
		if (others.length) {
			const ids = others.map((f) => f.jobId);
			first.error.description =
				`${first.error.description ? first.error.description + ' ' : ''}` +
				`${ids.length} other job(s) did not finish or could not be read either: ${ids.slice(0, MAX_LISTED_IDS).join(', ')}${ids.length > MAX_LISTED_IDS ? ` and ${ids.length - MAX_LISTED_IDS} more` : ''}.`;
		}
		throw first.error;
	}
	return out;
}
