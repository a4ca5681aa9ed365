import type { INodeProperties } from 'n8n-workflow';

/** The usual Return All / Limit pair of "Get Many" operations. */
export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

export const referenceIdParameter: INodeProperties = {
	displayName: 'Reference ID',
	name: 'referenceId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. image_0001',
	description: 'Your reference ID of the item (any characters; it is URL-encoded for you)',
};
