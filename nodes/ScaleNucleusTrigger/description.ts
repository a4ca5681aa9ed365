import type { INodeProperties } from 'n8n-workflow';

import { datasetLocator } from '../shared/descriptions';
import { JOB_TYPES } from '../shared/jobTypes';

/** Upper bounds of the options Lookback (Days) and Max Errors per Job; poll.ts checks them too. */
export const MAX_LOOKBACK_DAYS = 31;
export const MAX_ERRORS_PER_JOB = 10_000;

export const properties: INodeProperties[] = [
	{
		displayName: 'Watch',
		name: 'watch',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'All Jobs of the Account',
				value: 'all',
				description: 'Every job the API key can see',
			},
			{
				name: 'Jobs of One Dataset',
				value: 'dataset',
				description: 'Only jobs of the chosen dataset',
			},
			{
				name: 'Specific Job IDs',
				value: 'jobIds',
				description: 'Only the given jobs, for example the job_id output of Append Items',
			},
		],
		default: 'all',
	},
	{
		...datasetLocator,
		description: 'The dataset whose jobs start the workflow',
		displayOptions: { show: { watch: ['dataset'] } },
	},
	{
		displayName: 'Job IDs',
		name: 'jobIds',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. job_c4rmsk8arvzg0cqkc6e0, job_c4rmsk8arvzg0cqkc6e1',
		description:
			'IDs of the jobs to watch (job_…), separated by commas, spaces or new lines (at most 1,000). A job is no longer checked once it has reached a final status. An ID Nucleus does not know is skipped with a warning in the log, and asked for again on the next poll.',
		displayOptions: { show: { watch: ['jobIds'] } },
	},
	{
		displayName: 'Job Types',
		name: 'jobTypes',
		type: 'multiOptions',
		options: JOB_TYPES,
		default: ['uploadDatasetItems'],
		description:
			'Which kinds of job to watch. Leave empty to watch every type. Append Items creates Upload Dataset Items jobs.',
		displayOptions: { hide: { watch: ['jobIds'] } },
	},
	{
		// Named "Trigger On" so n8n's node creator lists its options as the trigger's events
		// ("On job completed", …) instead of a generic "On new Scale Nucleus event".
		displayName: 'Trigger On',
		name: 'emitOn',
		type: 'multiOptions',
		options: [
			{
				name: 'Completed',
				action: 'On job completed',
				value: 'completed',
				description: 'The job finished without errors',
			},
			{
				name: 'Errored (Any)',
				action: 'On job errored',
				value: 'erroredAny',
				description:
					'Errored, Errored_User, Errored_Server, Errored_Partial or Errored_Hanging (some items may have been stored)',
			},
			{
				name: 'Cancelled',
				action: 'On job cancelled',
				value: 'cancelled',
				description: 'The job was cancelled',
			},
		],
		default: ['completed', 'erroredAny', 'cancelled'],
		description:
			'Which final statuses start the workflow. Each job starts it once per final status.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Emit History on First Poll',
				name: 'emitHistory',
				type: 'boolean',
				default: false,
				description:
					'Whether the first poll after activation also emits jobs that had already finished (within the lookback). Off: only jobs that finish after activation are emitted.',
			},
			{
				displayName: 'Emit Progress',
				name: 'emitProgress',
				type: 'boolean',
				default: false,
				description:
					"Whether to also emit an item when a running job's progress changes (one extra request per running job and poll)",
			},
			{
				displayName: 'Lookback (Days)',
				name: 'lookbackDays',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: MAX_LOOKBACK_DAYS, numberPrecision: 0 },
				default: 2,
				description:
					'How many days before the previous poll the job list reaches back. Nucleus filters jobs by creation day; jobs the trigger saw running are followed until they finish however old they are.',
			},
			{
				displayName: 'Max Errors per Job',
				name: 'maxErrors',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: MAX_ERRORS_PER_JOB, numberPrecision: 0 },
				default: 100,
				description:
					'How many error messages of a finished job to include (error_count gives the total). 0 = do not fetch errors.',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{
						name: 'One Item per Job',
						value: 'job',
						description: 'Each finished job is an item of its own',
					},
					{
						name: 'One Summary per Dataset',
						value: 'datasetSummary',
						description:
							'The jobs of a dataset that finished since the last poll make one item (job IDs, count per status, succeeded, errors), so a run of many upload jobs is acted on once',
					},
				],
				default: 'job',
				description:
					'How the finished jobs of a poll come out. Progress items (Emit Progress) stay one per job.',
			},
		],
	},
];
