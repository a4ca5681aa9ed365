import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { maxAttemptsOption, requestTimeoutOption } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';

const properties: INodeProperties[] = [
	{
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. street-scenes-2026',
		description: 'Name of the new dataset',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			maxAttemptsOption,
			{
				displayName: 'Privacy Mode',
				name: 'usePrivacyMode',
				type: 'boolean',
				default: false,
				description:
					'Whether images stay in your storage (Nucleus does not copy them). Items of such a dataset need a width and a height.',
			},
			requestTimeoutOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['dataset'], operation: ['create'] } },
	properties,
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const name = (this.getNodeParameter('name', itemIndex) as string).trim();
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return await client.request<IDataObject>('POST', 'dataset/create', {
		itemIndex,
		kind: 'createDataset',
		json: {
			name,
			is_scene: false,
			use_privacy_mode: options.usePrivacyMode === true,
			item_metadata_schema: null,
			annotation_metadata_schema: null,
		},
	});
}
