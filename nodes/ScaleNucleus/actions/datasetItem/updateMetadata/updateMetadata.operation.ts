/**
 * Dataset Item → Update Metadata: the SDK's `update_item_metadata` (scaleapi/nucleus-python-client, nucleus/metadata_manager.py). The metadata
 * keys of each input item are MERGED into the stored item's metadata (a sent key wins, the others
 * stay), unlike Append with Update Existing Items, which replaces the metadata.
 *   plan.ts (read and check every item) → send.ts (requests) → outcomes.ts (results, n8n items).
 * Everything is checked before the first request. This operation owns On Error → Continue: every
 * input item comes out as a result or an error item paired to it (or, asynchronously without
 * waiting, in the item of its job).
 */
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { getErrorsOfJobs } from '../../../../shared/api/jobs';
import { MAX_SYNC_METADATA_ITEMS } from '../../../../shared/api/metadata';
import {
	datasetLocator,
	maxAttemptsOption,
	requestTimeoutOption,
} from '../../../../shared/descriptions';
import { asNodeError } from '../../../../shared/errors';
import { jobFailure, waitForJobs, type JobFailureHints } from '../../../../shared/jobs/wait';
import { numberOption } from '../../../../shared/options';
import type { NucleusClient } from '../../../../shared/transport';
import { errorItem } from '../../errorItem';
import { invalidItemSlots, invalidItemsError } from '../../invalidItems';
import type { OutputPromise } from '../../outputInvariant';
import {
	excludeFieldsProperty,
	metadataFieldsProperty,
	metadataJsonProperty,
	MIN_POLL_INTERVAL_S,
} from '../shared/description';
import { itemsByJob } from '../shared/itemsByJob';
import { warnLookAlikes } from '../shared/lookAlikes';
import {
	jobItem,
	outcomesFromJob,
	outcomesFromResult,
	resultItem,
	type UpdateResult,
} from './outcomes';
import { planUpdates, type PlannedUpdate } from './plan';
import { sendUpdates } from './send';

/** What an Update Metadata that waited tells the user when one of its jobs gives no result. */
const UPDATE_JOB_HINTS: JobFailureHints = {
	unread: (jobId) =>
		`The metadata may already be updated. Follow the job with Job → Wait for Completion and Job ID ${jobId}; running the same update again gives the same metadata.`,
	errorsUnread: (jobId) =>
		`Read them later with Job → Get Errors and Job ID ${jobId}; running the same update again gives the same metadata.`,
};

/** `GET job/{id}/errors` requests in flight at once after the wait. */
const ERRORS_CONCURRENCY = 4;

/** Append's metadata inputs, shared so both operations read metadata the same way. */
const sharedMetadataInputs = [
	excludeFieldsProperty('reference_id, image_url'),
	metadataJsonProperty,
	metadataFieldsProperty,
];

const properties: INodeProperties[] = [
	datasetLocator,
	{
		displayName: 'Reference ID',
		name: 'referenceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.reference_id }}',
		description: 'Reference ID of the item whose metadata to update',
	},
	{
		displayName: 'Metadata',
		name: 'metadataMode',
		type: 'options',
		noDataExpression: true,
		default: 'fields',
		options: [
			{ name: 'Fields Below', value: 'fields', description: 'Set metadata key by key' },
			{ name: 'JSON', value: 'json', description: 'Give the keys to set as a JSON object' },
			{
				name: 'All Other Fields',
				value: 'allFields',
				description: 'Use every field of the input item except the excluded ones',
			},
		],
		description:
			'The keys to set. They are merged into the item: keys you do not send keep their values.',
	},
	...sharedMetadataInputs,
	{
		displayName: 'Asynchronous',
		name: 'asynchronous',
		type: 'boolean',
		default: false,
		description: `Whether to run the update as a Nucleus job (one per dataset, any number of items). Otherwise items go in synchronous requests of up to ${MAX_SYNC_METADATA_ITEMS}.`,
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the job is finished and output one result per input item. Otherwise one item per job is output at once, to follow with the Job operations.',
		displayOptions: { show: { asynchronous: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Items per Request',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_SYNC_METADATA_ITEMS },
				default: MAX_SYNC_METADATA_ITEMS,
				description: `Items in one synchronous request (Nucleus takes at most ${MAX_SYNC_METADATA_ITEMS}). Lower it if requests time out.`,
				displayOptions: { show: { '/asynchronous': [false] } },
			},
			maxAttemptsOption,
			{
				displayName: 'Max Wait (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 3600,
				description: 'How long to wait for the jobs; a job not finished by then is reported',
				displayOptions: { show: { '/asynchronous': [true], '/waitForCompletion': [true] } },
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: MIN_POLL_INTERVAL_S },
				default: 5,
				description: 'How often to check the jobs while waiting',
				displayOptions: { show: { '/asynchronous': [true], '/waitForCompletion': [true] } },
			},
			requestTimeoutOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['updateMetadata'] } },
	properties,
);

/** Every input item comes out once: its result or error item, or in the item of its job request. */
export const output: OutputPromise = 'exactlyOnce';

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal();
	const asynchronous = this.getNodeParameter('asynchronous', 0, false) === true;
	const wait = asynchronous && this.getNodeParameter('waitForCompletion', 0, true) === true;
	const options = this.getNodeParameter('options', 0, {}) as IDataObject;
	const batchSize = numberOption(
		this,
		options,
		'batchSize',
		'Items per Request',
		MAX_SYNC_METADATA_ITEMS,
		{ min: 1, max: MAX_SYNC_METADATA_ITEMS, whole: true },
	);
	const intervalMs =
		numberOption(this, options, 'pollInterval', 'Poll Interval', 5, { min: MIN_POLL_INTERVAL_S }) *
		1000;
	const timeoutMs = numberOption(this, options, 'timeout', 'Max Wait', 3600, { min: 1 }) * 1000;

	const plan = planUpdates(this, items);
	if (plan.problems.length && !continueOnFail)
		throw invalidItemsError(node, plan.problems, 'update');
	const slots = invalidItemSlots(node, plan.problems, items.length);
	warnLookAlikes(this, plan.updates);

	const sent = plan.updates.length
		? await sendUpdates(client, plan.updates, { asynchronous, batchSize, signal })
		: [];
	const results: UpdateResult[] = [];
	const failures: Array<{ update: PlannedUpdate; error: Error }> = [];
	/** Requests answered with a job, to wait on (two may share a job ID: shared/itemsByJob.ts). */
	const requests: Array<{ jobId: string; items: PlannedUpdate[] }> = [];
	const summaries: INodeExecutionData[] = [];
	for (const s of sent) {
		if (!s.ok) for (const update of s.updates) failures.push({ update, error: s.error });
		else if ('result' in s) results.push(...outcomesFromResult(s.updates, s.result));
		else if (!wait) summaries.push(jobItem(s.job, s.updates));
		else requests.push({ jobId: s.job.job_id, items: s.updates });
	}
	const jobs = itemsByJob(requests);

	if (jobs.size) {
		const waited = await waitForJobs(client, [...jobs.keys()], { intervalMs, timeoutMs, signal });
		const finished = [...waited].filter(([, r]) => r.state === 'final').map(([id]) => id);
		const jobErrors = await getErrorsOfJobs(client, finished, {
			concurrency: ERRORS_CONCURRENCY,
			signal,
		});
		for (const [jobId, updates] of jobs) {
			const outcome = waited.get(jobId)!;
			const errors = jobErrors.get(jobId);
			const failure = jobFailure(node, jobId, outcome, errors, {
				timeoutMs,
				errorsRequired: true,
				hints: UPDATE_JOB_HINTS,
			});
			if (failure) for (const update of updates) failures.push({ update, error: failure });
			else if (outcome.state === 'final' && Array.isArray(errors)) {
				results.push(...outcomesFromJob(updates, outcome.status, errors));
			}
		}
	}

	if (failures.length && !continueOnFail) {
		const first = failures.sort((a, b) => a.update.itemIndex - b.update.itemIndex)[0];
		const error = asNodeError(node, first.error, first.update.itemIndex);
		const done = results.filter((r) => r.outcome === 'updated').length;
		const accepted = results.filter((r) => r.outcome === 'accepted').length;
		const created = [...new Set([...jobs.keys(), ...summaries.map((s) => String(s.json.job_id))])];
		error.description =
			`${error.description ? error.description + ' ' : ''}` +
			(done ? `${done} other item(s) of this run were updated. ` : '') +
			(accepted
				? `${accepted} other item(s) were accepted by Nucleus without a count of updated items. `
				: '') +
			(created.length
				? `Jobs created in this run: ${created.slice(0, 20).join(', ')}${created.length > 20 ? ` and ${created.length - 20} more` : ''}.`
				: '');
		throw error;
	}
	for (const f of failures) {
		slots[f.update.itemIndex] = errorItem(node, f.error, f.update.itemIndex, {
			reference_id: f.update.referenceId,
		});
	}
	for (const r of results) slots[r.update.itemIndex] = resultItem(r);
	const out: INodeExecutionData[] = [...summaries];
	for (const slot of slots) if (slot) out.push(slot);
	return out;
}
