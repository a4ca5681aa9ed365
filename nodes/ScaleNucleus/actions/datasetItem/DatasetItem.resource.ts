import type { INodeProperties } from 'n8n-workflow';

import type { OperationModule } from '../types';
import * as append from './append/append.operation';
import * as del from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as syncFromBucket from './syncFromBucket/syncFromBucket.operation';
import * as updateMetadata from './updateMetadata/updateMetadata.operation';

export const operations: Record<string, OperationModule> = {
	append,
	delete: del,
	get,
	getMany,
	syncFromBucket,
	updateMetadata,
};

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['datasetItem'] } },
		options: [
			{
				name: 'Append',
				value: 'append',
				action: 'Append items to a dataset',
				description: 'Add images (remote URLs or local files) with their metadata to a dataset',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete a dataset item',
				description: 'Delete an item by its reference ID',
			},
			{
				name: 'Get',
				value: 'get',
				action: 'Get a dataset item',
				description: 'Get an item by its reference ID',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				action: 'Get many dataset items',
				description: 'List the items of a dataset',
			},
			{
				name: 'Sync From Bucket',
				value: 'syncFromBucket',
				action: 'Sync a bucket prefix into a dataset',
				description:
					'List an S3 or GCS bucket prefix and append the objects the dataset does not hold yet, in bounded memory',
			},
			{
				name: 'Update Metadata',
				value: 'updateMetadata',
				action: 'Update the metadata of dataset items',
				description:
					'Merge metadata keys into existing items by reference ID (keys not sent keep their values)',
			},
		],
		default: 'append',
	},
	...append.description,
	...del.description,
	...get.description,
	...getMany.description,
	...syncFromBucket.description,
	...updateMetadata.description,
];
