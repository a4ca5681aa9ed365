/**
 * Step 1 of Append, read: the parameters of each input item, as the user set them (expressions
 * evaluated, nothing checked), one ReadItem per input item, read when the next step asks for it,
 * so 100,000 items are never held twice. Each parameter goes through
 * `readParameter` (../shared/itemParameters.ts), which also reads values without n8n's expression
 * sandbox where that gives the same value; an expression that fails becomes a problem naming its
 * field.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { ItemParameters, readMetadata, readParameter } from '../shared/itemParameters';
import type { ItemStep, ItemValues } from '../validate/item';
import { isProblem, type ItemProblem } from '../validate/problem';

export type AppendMode = 'remote' | 'local';

/** Where the image of a local item comes from, as the parameters say. */
export type LocalInput =
	| { imageSource: 'binary'; binaryProperty: unknown }
	| { imageSource: 'path'; filePath: unknown };

/** The parameters of one input item, as read (expressions evaluated, nothing checked). */
export type ReadItem = ItemValues<LocalInput>;

function readLocal(params: ItemParameters, itemIndex: number): LocalInput | ItemProblem {
	if (params.get('imageSource', itemIndex, 'binary') === 'path') {
		const filePath = readParameter(params, 'filePath', 'File Path', itemIndex, '');
		return isProblem(filePath) ? filePath : { imageSource: 'path', filePath };
	}
	const binaryProperty = readParameter(
		params,
		'binaryPropertyName',
		'Input Binary Field',
		itemIndex,
		'data',
	);
	return isProblem(binaryProperty) ? binaryProperty : { imageSource: 'binary', binaryProperty };
}

/** Reads one item's parameters; the first expression that fails becomes a problem naming its field. */
function readItem(
	params: ItemParameters,
	mode: AppendMode,
	itemIndex: number,
): ReadItem | ItemProblem {
	const datasetId = readParameter(params, 'datasetId', 'Dataset', itemIndex, '', {
		extractValue: true,
	});
	if (isProblem(datasetId)) return datasetId;
	const referenceId = readParameter(params, 'referenceId', 'Reference ID', itemIndex, '');
	if (isProblem(referenceId)) return referenceId;
	const metadata = readMetadata(params, itemIndex);
	if (isProblem(metadata)) return metadata;
	const options = params.get('options', itemIndex, {}) as IDataObject;
	// One object per item, built in place (no spread of a shared part): 100,000 items are read in a row.
	if (mode === 'remote') {
		const imageUrl = readParameter(params, 'imageUrl', 'Image URL', itemIndex, '');
		if (isProblem(imageUrl)) return imageUrl;
		return {
			kind: 'remote',
			itemIndex,
			datasetId,
			referenceId,
			metadata,
			width: options.width,
			height: options.height,
			imageUrl,
		};
	}
	const local = readLocal(params, itemIndex);
	if (isProblem(local)) return local;
	return {
		kind: 'local',
		itemIndex,
		datasetId,
		referenceId,
		metadata,
		width: options.width,
		height: options.height,
		local,
	};
}

/** The read step: each input item's parameters, read when the next step asks for them. */
export function readItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: AppendMode,
): ItemStep<ReadItem> {
	const params = new ItemParameters(ctx, items);
	return (itemIndex) => readItem(params, mode, itemIndex);
}
