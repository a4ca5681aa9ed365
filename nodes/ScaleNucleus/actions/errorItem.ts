import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../../shared/errors';

/**
 * The output item of an input item that failed, under On Error → Continue. `error` is set on the
 * item itself, so n8n routes it to the error output even though its json carries more than the
 * message (`reference_id`, `field` where known).
 */
export function errorItem(
	node: INode,
	error: unknown,
	itemIndex: number,
	fields: IDataObject = {},
): INodeExecutionData {
	const nodeError = asNodeError(node, error, itemIndex);
	return {
		json: { error: nodeError.message, ...fields },
		error: nodeError,
		pairedItem: { item: itemIndex },
	};
}
