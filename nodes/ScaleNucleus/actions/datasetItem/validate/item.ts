/**
 * Step 2 of Append, check: every value read for one item, checked with the rules of this folder
 * (pure: no I/O, no n8n contexts). The first problem found is the item's problem. The image source
 * of a local item is checked when it is planned (append/localSource.ts: it touches files).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { MetadataInput } from '../shared/itemParameters';
import { validateDimension } from './dimensions';
import { validateDatasetId, validateReferenceId } from './ids';
import { validateImageUrl } from './imageUrl';
import { validateAppendMetadata, type ItemMetadata } from './metadataModes';
import { aboutReference, isProblem, type ItemProblem } from './problem';

/**
 * The values read for one item, as the checks take them (append/read.ts reads them). `Local` is
 * where a local item's image comes from: passed on unchecked, for the plan step to check.
 */
export type ItemValues<Local> = {
	itemIndex: number;
	datasetId: unknown;
	referenceId: unknown;
	metadata: MetadataInput;
	width: unknown;
	height: unknown;
} & ({ kind: 'remote'; imageUrl: unknown } | { kind: 'local'; local: Local });

/** One item whose values passed the checks; a local item's image source is still to be checked. */
export type CheckedItem<Local> = {
	itemIndex: number;
	datasetId: string;
	referenceId: string;
	metadata: Record<string, unknown> | ItemMetadata;
	width?: number;
	height?: number;
} & ({ kind: 'remote'; imageUrl: string } | { kind: 'local'; local: Local });

/** Checks every value read for one item; the first problem found is returned. */
export function checkItem<Local>(
	input: ItemValues<Local>,
	json: IDataObject,
): CheckedItem<Local> | ItemProblem {
	const { itemIndex } = input;
	const datasetId = validateDatasetId(input.datasetId, itemIndex);
	if (isProblem(datasetId)) return datasetId;
	const referenceId = validateReferenceId(input.referenceId, itemIndex);
	if (isProblem(referenceId)) return referenceId;
	const metadata = validateAppendMetadata(input.metadata, json, itemIndex);
	if (isProblem(metadata)) return aboutReference(metadata, referenceId);
	const width = validateDimension(input.width, 'Width', itemIndex);
	if (isProblem(width)) return aboutReference(width, referenceId);
	const height = validateDimension(input.height, 'Height', itemIndex);
	if (isProblem(height)) return aboutReference(height, referenceId);
	let checked: CheckedItem<Local>;
	if (input.kind === 'remote') {
		const url = validateImageUrl(input.imageUrl, itemIndex);
		if (isProblem(url)) return aboutReference(url, referenceId);
		checked = { kind: 'remote', itemIndex, datasetId, referenceId, metadata, imageUrl: url };
	} else {
		checked = { kind: 'local', itemIndex, datasetId, referenceId, metadata, local: input.local };
	}
	if (width !== undefined) checked.width = width;
	if (height !== undefined) checked.height = height;
	return checked;
}

/**
 * One step of Append's first pass for the item at an index: its result, or its problem. The plan
 * step asks for each item in turn, so read, check and plan take one item at a time and 100,000 items
 * are never held twice (or wrapped in an iterator result per step).
 */
export type ItemStep<T> = (itemIndex: number) => T | ItemProblem;

/** The check step: each read item checked when the next step asks for it; problems pass through. */
export function checkItems<Local>(
	read: ItemStep<ItemValues<Local>>,
	items: INodeExecutionData[],
): ItemStep<CheckedItem<Local>> {
	return (itemIndex) => {
		const input = read(itemIndex);
		return isProblem(input) ? input : checkItem(input, items[itemIndex].json);
	};
}
