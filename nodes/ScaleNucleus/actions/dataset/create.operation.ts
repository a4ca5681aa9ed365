import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';

import { createDataset } from '../../../shared/api/datasets';
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
		placeholder: 'Add option',
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
	const raw = this.getNodeParameter('name', itemIndex) as unknown;
	const name = typeof raw === 'string' || typeof raw === 'number' ? String(raw).trim() : '';
	if (!name) {
		throw new NodeOperationError(this.getNode(), `Item ${itemIndex}: Name is empty`, {
			itemIndex,
			description: 'Give the new dataset a name. Nothing was sent for this item.',
		});
	}
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	// The answer is checked: it must name the new dataset (shared/api/datasets.ts).
	return await createDataset(
		client,
		{ name, usePrivacyMode: options.usePrivacyMode === true },
		itemIndex,
	);
}
