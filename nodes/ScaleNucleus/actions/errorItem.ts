import type { IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from '../../shared/errors';

/** What an error item knows about its failure besides the message. */
export interface ErrorDetails extends IDataObject {
	reference_id?: string;
	/** The parameter the user sees, e.g. 'Reference ID', 'Image URL', 'Job ID'. */
	field?: string;
	job_id?: string;
}

/**
 * The output item of an input item that failed, under On Error → Continue; built here only, so
 * every operation's failures can be routed by field rather than by parsing text:
 *
 *     { "error": "Item 2: Reference ID is empty",
 *       "details": { "item": 2, "reference_id": "…", "field": "Reference ID" } }
 *
 * - `error`: the message (the key n8n's own nodes use for a failed item's message);
 * - `details.item`: the input item's index as n8n's editor numbers items (from 0: its error view
 *   appends "[item 0]", and `$itemIndex` and `pairedItem` count the same way);
 * - `details.reference_id`, `details.field`, `details.job_id` where the operation knows them.
 *
 * The json holds only `error` and `details` because that is how n8n (2.41, WorkflowExecute
 * handleNodeErrorOutput) recognises an error item for the error output: `json.error` set and no
 * keys but `error`, `message` and `details`. The item's own `error` property is not set: n8n
 * replaces the json of such an item by `{ error: message }` (normalizeNodeErrors), which would
 * drop the details.
 */
export function errorItem(
	node: INode,
	error: unknown,
	itemIndex: number,
	details: ErrorDetails = {},
): INodeExecutionData {
	const nodeError = asNodeError(node, error, itemIndex);
	return {
		json: { error: nodeError.message, details: { item: itemIndex, ...details } },
		pairedItem: { item: itemIndex },
	};
}
