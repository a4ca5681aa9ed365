import type { INode, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { ItemProblem } from './datasetItem/validate/problem';
import { errorItem } from './errorItem';

/**
 * What an operation that checks every item before sending does with the invalid ones: without
 * On Error → Continue the run stops on the first before anything is sent (`invalidItemsError`);
 * with it, each becomes its input item's error item and the valid items go on
 * (`invalidItemSlots`). Shared by Append and Update Metadata so both say the same.
 */
export function invalidItemsError(
	node: INode,
	problems: ItemProblem[],
	/** What the valid items would get, e.g. 'append' or 'update'. */
	verb: string,
): NodeOperationError {
	const first = problems[0];
	return new NodeOperationError(node, first.message, {
		itemIndex: first.itemIndex,
		description:
			(first.description ? first.description + ' ' : '') +
			(problems.length > 1
				? `${problems.length} items are invalid; nothing was sent. Turn on "On Error: Continue" to ${verb} the valid items and get the invalid ones as error items.`
				: 'Nothing was sent.'),
	});
}

/** One output slot per input item, holding the error item of each invalid one. */
export function invalidItemSlots(
	node: INode,
	problems: ItemProblem[],
	itemCount: number,
): Array<INodeExecutionData | undefined> {
	const slots: Array<INodeExecutionData | undefined> = new Array(itemCount);
	for (const p of problems) {
		const error = new NodeOperationError(node, p.message, {
			itemIndex: p.itemIndex,
			description: p.description,
		});
		slots[p.itemIndex] = errorItem(node, error, p.itemIndex, {
			...(p.referenceId !== undefined && { reference_id: p.referenceId }),
			field: p.field,
		});
	}
	return slots;
}
