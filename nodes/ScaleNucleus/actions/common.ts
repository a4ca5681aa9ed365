import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { encodePathSegment } from '../../shared/transport';

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

/** The dataset ID of an item, from the resource locator (list or ID mode). */
export function datasetIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return String(ctx.getNodeParameter('datasetId', itemIndex, '', { extractValue: true })).trim();
}

/** Dataset, reference ID and the `dataset/{id}/refloc/{ref}` route (both percent-encoded) of an item. */
export function itemLocation(ctx: IExecuteFunctions, itemIndex: number) {
	const datasetId = datasetIdOf(ctx, itemIndex);
	const referenceId = ctx.getNodeParameter('referenceId', itemIndex) as string;
	const route = `dataset/${encodePathSegment(datasetId)}/refloc/${encodePathSegment(referenceId)}`;
	return { datasetId, referenceId, route };
}

/** The Job ID parameter of an item, trimmed. */
export function jobIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return (ctx.getNodeParameter('jobId', itemIndex) as string).trim();
}
