import type { INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as dataset from './dataset/Dataset.resource';
import * as datasetItem from './datasetItem/DatasetItem.resource';
import * as job from './job/Job.resource';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Scale Nucleus',
	name: 'scaleNucleus',
	icon: { light: 'file:../../icons/nucleus.svg', dark: 'file:../../icons/nucleus.dark.svg' },
	group: ['transform'],
	version: 1,
	subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
	description: 'Append images to Scale Nucleus datasets and follow their import jobs',
	defaults: { name: 'Scale Nucleus' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	usableAsTool: true,
	credentials: [{ name: 'scaleNucleusApi', required: true }],
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
	],
};
