/**
 * Step 3 of Append: every valid input item becomes a planned item (its DatasetItem payload plus where
 * its image comes from), one type per source. Problems found on the way stay paired to their item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { DatasetItemPayload } from '../../../../shared/api/types';
import { buildDatasetItem } from './datasetItem';
import { checkLocalSource, prefetchBinarySizes, type LocalSource } from './localSource';
import { ItemParameters, readItemInput, type AppendMode } from './read';
import { aboutReference, isProblem, type ItemProblem } from './problem';
import { findDuplicateReferenceIds, validateItemInput } from './validate';

interface PlannedBase {
	itemIndex: number;
	datasetId: string;
	payload: DatasetItemPayload;
}

/** An image Nucleus fetches itself (http(s)://, s3://, gs://). */
export type RemoteItem = PlannedBase & { kind: 'remote' };
/** An image in n8n's binary data of the input item. */
export type BinaryItem = PlannedBase & Extract<LocalSource, { kind: 'binary' }>;
/** An image in a file on the n8n host. */
export type PathItem = PlannedBase & Extract<LocalSource, { kind: 'path' }>;
export type LocalItem = BinaryItem | PathItem;
export type PlannedItem = RemoteItem | LocalItem;

export type AppendPlan = { problems: ItemProblem[] } & (
	| { mode: 'remote'; items: RemoteItem[] }
	| { mode: 'local'; items: LocalItem[] }
);

/**
 * A name for a local image that no other image of this run has. Job errors quote the image's
 * `image_url` (the only item detail public samples show, nucleus-api.md 5.6), and a local item's
 * `image_url` is its file name, so two files called `0001.jpg` in one run get `0001.jpg` and
 * `0001-2.jpg`: an error quoting either maps to exactly one item.
 */
export function uniqueImageName(fileName: string, used: Set<string>): string {
	let name = fileName;
	if (used.has(name)) {
		const dot = fileName.lastIndexOf('.');
		const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
		const ext = dot > 0 ? fileName.slice(dot) : '';
		for (let n = 2; used.has(name); n++) name = `${stem}-${n}${ext}`;
	}
	used.add(name);
	return name;
}

/** The items of each dataset, in input order. */
export function groupByDataset<T extends { datasetId: string }>(items: T[]): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const p of items) {
		const list = groups.get(p.datasetId);
		if (list) list.push(p);
		else groups.set(p.datasetId, [p]);
	}
	return groups;
}

/** Refuses reference IDs used twice for one dataset in this run (the SDK refuses them too, 8). */
function withoutDuplicates<T extends PlannedItem>(items: T[], problems: ItemProblem[]): T[] {
	const duplicated = new Set<number>();
	for (const list of groupByDataset(items).values()) {
		for (const dup of findDuplicateReferenceIds(
			list.map((p) => ({ itemIndex: p.itemIndex, referenceId: p.payload.reference_id })),
		)) {
			duplicated.add(dup.itemIndex);
			problems.push(dup);
		}
	}
	return duplicated.size ? items.filter((p) => !duplicated.has(p.itemIndex)) : items;
}

/** Reads, validates and plans every input item before anything is sent. */
export async function planAppend(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	mode: AppendMode,
): Promise<AppendPlan> {
	const params = new ItemParameters(ctx, items);
	const problems: ItemProblem[] = [];

	if (mode === 'remote') {
		let planned: RemoteItem[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const input = readItemInput(params, mode, itemIndex);
			const valid = isProblem(input) ? input : validateItemInput(input, items[itemIndex].json);
			if (isProblem(valid)) {
				problems.push(valid);
				continue;
			}
			planned.push({
				kind: 'remote',
				itemIndex,
				datasetId: valid.datasetId,
				payload: buildDatasetItem(valid),
			});
		}
		planned = withoutDuplicates(planned, problems);
		problems.sort((a, b) => a.itemIndex - b.itemIndex);
		return { mode, items: planned, problems };
	}

	const sizes = await prefetchBinarySizes(ctx, params, items);
	const usedNames = new Set<string>();
	let planned: LocalItem[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const input = readItemInput(params, mode, itemIndex);
		const valid = isProblem(input) ? input : validateItemInput(input, items[itemIndex].json);
		if (isProblem(valid)) {
			problems.push(valid);
			continue;
		}
		if (isProblem(input) || input.kind !== 'local') continue; // (narrowing only: mode is local)
		const source = await checkLocalSource(ctx, sizes, items[itemIndex], itemIndex, input.local);
		if (isProblem(source)) {
			problems.push(aboutReference(source, valid.referenceId));
			continue;
		}
		const fileName = uniqueImageName(source.fileName, usedNames);
		planned.push({
			...source,
			fileName,
			itemIndex,
			datasetId: valid.datasetId,
			payload: buildDatasetItem({ ...valid, imageUrl: fileName }),
		});
	}
	planned = withoutDuplicates(planned, problems);
	problems.sort((a, b) => a.itemIndex - b.itemIndex);
	return { mode, items: planned, problems };
}
