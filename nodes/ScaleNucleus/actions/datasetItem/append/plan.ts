/**
 * Step 3 of Append, plan: every checked item becomes a planned item (its DatasetItem payload plus
 * where its image comes from), one type per source. Problems found on the way stay paired to their
 * item.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { cancelPoint } from '../../../../shared/cancel';
import { buildDatasetItem, type PlannedPayload } from './datasetItem';
import { checkLocalSource, prefetchBinarySizes, type LocalSource } from './localSource';
import type { AppendMode, LocalInput } from './read';
import { ItemParameters } from '../shared/itemParameters';
import { duplicateReferenceId } from '../validate/ids';
import type { CheckedItem, ItemStep } from '../validate/item';
import { aboutReference, isProblem, type ItemProblem } from '../validate/problem';

interface PlannedBase {
	itemIndex: number;
	datasetId: string;
	payload: PlannedPayload;
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
 * `image_url` (the only item detail public samples show: the SDK's `AsyncJob.errors`, nucleus/async_job.py), and a local item's
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

/**
 * The reference IDs planned so far, per dataset: a second item with the same ID for the same dataset
 * is refused (the SDK refuses them too: `check_for_duplicate_reference_ids`, nucleus/dataset_item.py). Checked while planning, so no list of all IDs is built.
 */
class ReferenceIds {
	readonly #firstItem = new Map<string, Map<string, number>>();

	/** The problem when `referenceId` is taken in `datasetId`; else records it for `itemIndex`. */
	claim(datasetId: string, referenceId: string, itemIndex: number): ItemProblem | undefined {
		let ids = this.#firstItem.get(datasetId);
		if (!ids) this.#firstItem.set(datasetId, (ids = new Map()));
		const first = ids.get(referenceId);
		if (first !== undefined) return duplicateReferenceId(itemIndex, referenceId, first);
		ids.set(referenceId, itemIndex);
		return undefined;
	}
}

/**
 * Plans every checked item before anything is sent: a local item's image source is checked, a
 * reference ID repeated in a dataset is refused, and each item gets its DatasetItem. One pass, one
 * planned item per valid input and nothing else kept per item: for 100,000 items every
 * intermediate object is garbage the n8n process has to absorb. A cancelled execution stops between
 * two items.
 */
export async function planItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	checked: ItemStep<CheckedItem<LocalInput>>,
	mode: AppendMode,
): Promise<AppendPlan> {
	const problems: ItemProblem[] = [];
	const referenceIds = new ReferenceIds();
	const cancelled = cancelPoint(ctx.getExecutionCancelSignal());

	if (mode === 'remote') {
		const planned: RemoteItem[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			await cancelled();
			const valid = checked(itemIndex);
			if (isProblem(valid)) {
				problems.push(valid);
				continue;
			}
			if (valid.kind !== 'remote') continue; // (narrowing only: mode is remote)
			const duplicate = referenceIds.claim(valid.datasetId, valid.referenceId, itemIndex);
			if (duplicate) {
				problems.push(duplicate);
				continue;
			}
			planned.push({
				kind: 'remote',
				itemIndex,
				datasetId: valid.datasetId,
				payload: buildDatasetItem(valid),
			});
		}
		return { mode, items: planned, problems };
	}

	// Started before the first item is read, so the lookups run while items are checked.
	const sizes = await prefetchBinarySizes(ctx, new ItemParameters(ctx, items), items);
	const usedNames = new Set<string>();
	const planned: LocalItem[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		await cancelled();
		const valid = checked(itemIndex);
		if (isProblem(valid)) {
			problems.push(valid);
			continue;
		}
		if (valid.kind !== 'local') continue; // (narrowing only: mode is local)
		const source = await checkLocalSource(ctx, sizes, items[itemIndex], itemIndex, valid.local);
		if (isProblem(source)) {
			problems.push(aboutReference(source, valid.referenceId));
			continue;
		}
		const duplicate = referenceIds.claim(valid.datasetId, valid.referenceId, itemIndex);
		if (duplicate) {
			problems.push(duplicate);
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
	return { mode, items: planned, problems };
}
