import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { requestOptionsCollection } from '../shared/descriptions';

import * as dataset from './actions/dataset/Dataset.resource';
import * as datasetItem from './actions/datasetItem/DatasetItem.resource';
import * as job from './actions/job/Job.resource';
import { router } from './actions/router';
import { credentialTest, listSearch } from './methods';

export class ScaleNucleus implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Scale Nucleus',
		name: 'scaleNucleus',
		icon: { light: 'file:../../icons/nucleus.svg', dark: 'file:../../icons/nucleus.dark.svg' },
		group: ['transform'],
		version: 1,
		// The canvas shows what the node does in the words of the Operation lists, not internal values.
		subtitle:
			'={{ ({ "dataset:create": "Create dataset", "dataset:delete": "Delete dataset", "dataset:get": "Get dataset", "dataset:getMany": "Get many datasets", "datasetItem:append": "Append items", "datasetItem:delete": "Delete item", "datasetItem:get": "Get item", "datasetItem:getMany": "Get many items", "datasetItem:syncFromBucket": "Sync from bucket", "datasetItem:updateMetadata": "Update item metadata", "job:getErrors": "Get job errors", "job:getMany": "Get many jobs", "job:getStatus": "Get job status", "job:waitForCompletion": "Wait for jobs" })[$parameter["resource"] + ":" + $parameter["operation"]] }}',
		description: 'Append images to Scale Nucleus datasets and follow their import jobs',
		defaults: { name: 'Scale Nucleus' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [
			{ name: 'scaleNucleusApi', required: true, testedBy: 'scaleNucleusApiTest' },
			{
				name: 'scaleNucleusBucketApi',
				required: true,
				testedBy: 'testBucketCredential',
				displayOptions: { show: { resource: ['datasetItem'], operation: ['syncFromBucket'] } },
			},
		],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Dataset', value: 'dataset' },
					{ name: 'Dataset Item', value: 'datasetItem' },
					{ name: 'Job', value: 'job' },
				],
				default: 'datasetItem',
			},
			...dataset.description,
			...datasetItem.description,
			...job.description,
			// Max Attempts and Request Timeout for the operations without an Options collection of their own.
			requestOptionsCollection({ resource: ['dataset'], operation: ['get', 'getMany'] }),
			requestOptionsCollection({
				resource: ['datasetItem'],
				operation: ['delete', 'get', 'getMany'],
			}),
			requestOptionsCollection({
				resource: ['job'],
				operation: ['getErrors', 'getStatus', 'waitForCompletion'],
			}),
		],
	};

	methods = { credentialTest, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
