import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';
import * as getErrors from './getErrors.operation';
import * as getMany from './getMany.operation';
import * as getStatus from './getStatus.operation';
import * as waitForCompletion from './waitForCompletion.operation';

export const operations: Record<string, OperationModule> = {
	getErrors,
	getMany,
	getStatus,
	waitForCompletion,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Get Errors',
				value: 'getErrors',
				action: 'Get the errors of a job',
				description: 'Get the error lines of an AsyncJob',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many jobs',
				description:
					'List AsyncJobs by dataset, job type, status and creation time, newest first, with the fields of Get Status',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the status of a job',
				description: 'Get the status and progress of an AsyncJob',
			},
			{
				name: 'Wait for Completion',
				value: 'waitForCompletion',
				action: 'Wait for jobs to complete',
				description:
					'Wait until the AsyncJobs of all input items are finished and output the final status and errors of each job',
			},
		],
		default: 'getStatus',
	},
	...getErrors.description,
	...getMany.description,
	...getStatus.description,
	...waitForCompletion.description,
];
