import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';

export const operations: Record<string, OperationModule> = { create, delete: del, get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['dataset'] } },
		options: [
			{
				name: 'Create',
				value: 'create',
				action: 'Create a dataset',
				description: 'Create a new dataset',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a dataset',
				description:
					'Delete a dataset with all of its items, annotations and predictions (the output says how many items)',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a dataset',
				description: 'Get the details of a dataset, with its number of items',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many datasets',
				description: 'List the datasets of the account',
			},
		],
		default: 'getMany',
	},
	...create.description,
	...del.description,
	...get.description,
	...getMany.description,
];
