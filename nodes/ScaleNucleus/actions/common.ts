/**
 * Parameters shared by the per-item operations, read and checked before any request: IDs with the
 * rules of shared/api/paths.ts, Limit with shared/options.ts. A value that cannot be used throws a
 * NodeOperationError naming the item and the field (with On Error → Continue, the router turns it
 * into that item's error item).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	datasetIdProblem,
	jobIdProblem,
	readReferenceId,
	type IdProblem,
} from '../../shared/api/paths';
import { checkNumber } from '../../shared/options';

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
	description:
		'Your reference ID of the item (any characters; it is URL-encoded for you). "." and ".." cannot be addressed in a URL and are refused.',
};

function refuse(ctx: IExecuteFunctions, itemIndex: number, problem: IdProblem): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), problem.message, {
		itemIndex,
		description: problem.description.startsWith('Nothing was sent')
			? problem.description
			: `${problem.description} Nothing was sent for this item.`,
	});
}

/** The dataset ID of an item, from the resource locator (list or ID mode), checked (`ds_…`). */
export function datasetIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('datasetId', itemIndex, '', { extractValue: true });
	const datasetId = typeof raw === 'string' ? raw.trim() : raw;
	const problem = datasetIdProblem(datasetId, `Item ${itemIndex}: `);
	if (problem) throw refuse(ctx, itemIndex, problem);
	return datasetId as string;
}

/** The dataset and the reference ID of an item, both checked. */
export function itemLocation(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { datasetId: string; referenceId: string } {
	const datasetId = datasetIdOf(ctx, itemIndex);
	const read = readReferenceId(
		ctx.getNodeParameter('referenceId', itemIndex),
		`Item ${itemIndex}: `,
	);
	if (!read.ok) throw refuse(ctx, itemIndex, read);
	return { datasetId, referenceId: read.value };
}

/** The Job ID parameter of an item, trimmed and checked (`job_…`). */
export function jobIdOf(ctx: IExecuteFunctions, itemIndex: number): string {
	const raw = ctx.getNodeParameter('jobId', itemIndex);
	const jobId = typeof raw === 'string' ? raw.trim() : raw;
	const problem = jobIdProblem(jobId, `Item ${itemIndex}: `);
	if (problem) throw refuse(ctx, itemIndex, problem);
	return jobId as string;
}

/** Limit of a Get Many operation: Infinity with Return All, else a whole number of at least 1. */
export function limitOf(ctx: IExecuteFunctions, itemIndex: number): number {
	const returnAll = ctx.getNodeParameter('returnAll', itemIndex, false) as unknown;
	if (returnAll === true || returnAll === 'true') return Infinity;
	return checkNumber(
		ctx.getNode(),
		ctx.getNodeParameter('limit', itemIndex, 50),
		`Item ${itemIndex}: Limit`,
		50,
		{ min: 1, whole: true },
		{ itemIndex, description: 'Nothing was sent for this item.' },
	);
}
