import type { INodeProperties } from 'n8n-workflow';

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
	description: 'ID of the AsyncJob, as returned by Append Items (asynchronous)',
};
