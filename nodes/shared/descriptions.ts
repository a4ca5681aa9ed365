import type { INodeProperties } from 'n8n-workflow';

import {
	DEFAULT_MAX_ATTEMPTS,
	DEFAULT_REQUEST_TIMEOUT_S,
	MAX_ATTEMPTS_LIMIT,
} from './transport/retryPolicy';

/** The dataset picker shared by the action node and the trigger. */
export const datasetLocator: INodeProperties = {
	displayName: 'Dataset',
	name: 'datasetId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Nucleus dataset to work with',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a dataset...',
			typeOptions: { searchListMethod: 'searchDatasets', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. ds_bw6de8s84pe0vbn6p5zg',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*ds_[A-Za-z0-9_-]+\\s*$',
						errorMessage: 'A dataset ID starts with "ds_"',
					},
				},
			],
		},
	],
};

export const jobIdParameter: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. job_c4rmsk8arvzg0cqkc6e0',
	description:
		'ID of the AsyncJob: the job_id output of Append or of an asynchronous Update Metadata',
};

/** Node option: attempts per request (the transport's retry policy decides which failures are retried). */
export const maxAttemptsOption: INodeProperties = {
	displayName: 'Max Attempts',
	name: 'maxAttempts',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_ATTEMPTS_LIMIT, numberPrecision: 0 },
	default: DEFAULT_MAX_ATTEMPTS,
	description:
		'Most times one request to Nucleus is sent, the first included (1 = no retries). Only failures that are safe to retry are: rate limiting (429), connection problems and 502/503/504 answers; a request that may already have created a dataset or a job is checked first.',
};

export const MAX_REQUEST_TIMEOUT_S = 600;

/** Node option: how long one attempt waits for Nucleus to answer. */
export const requestTimeoutOption: INodeProperties = {
	displayName: 'Request Timeout (Seconds)',
	name: 'requestTimeout',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_REQUEST_TIMEOUT_S },
	default: DEFAULT_REQUEST_TIMEOUT_S,
	description:
		'How long one attempt waits for an answer (and at most between two parts of it) before it is retried or fails. Nucleus ends every API call after one minute, so a longer wait rarely helps.',
};

/** An Options collection holding only the request options, for the operations that have no other options. */
export function requestOptionsCollection(show: {
	resource: string[];
	operation: string[];
}): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show },
		options: [maxAttemptsOption, requestTimeoutOption],
	};
}
