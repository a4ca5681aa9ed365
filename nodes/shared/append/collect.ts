import { stat } from 'node:fs/promises';

import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { ItemProblem } from '../items';
import {
	buildDatasetItem,
	contentTypeForFile,
	findDuplicateReferenceIds,
	isProblem,
	itemProblem,
	metadataFromKeyValues,
	metadataFromOtherFields,
	normalizeMetadata,
	parseMetadataJson,
	validateDimension,
	validateImageUrl,
	validateReferenceId,
} from '../items';
import { runPool } from '../pool';
import type { DatasetItemPayload } from '../types';
import { ItemParameters } from './params';

export type AppendMode = 'remote' | 'local';

export type LocalSource =
	| { kind: 'binary'; property: string; binary: IBinaryData; size?: number }
	| { kind: 'path'; path: string; size: number };

/** One valid input item, ready to send. */
export interface PlannedItem {
	itemIndex: number;
	datasetId: string;
	payload: DatasetItemPayload;
	local?: LocalSource;
	fileName?: string;
	contentType?: string;
}

export interface AppendPlan {
	mode: AppendMode;
	update: boolean;
	planned: PlannedItem[];
	problems: ItemProblem[];
}

function problem(
	itemIndex: number,
	field: string,
	message: string,
	description?: string,
): ItemProblem {
	return itemProblem(itemIndex, field, `Item ${itemIndex}: ${message}`, description);
}

/** A Nucleus dataset ID, as the By ID mode of the dataset picker accepts it (shared/descriptions.ts). */
const DATASET_ID = /^ds_[A-Za-z0-9_-]+$/;

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** Reads one parameter of one item; an expression that fails becomes a problem naming the field. */
function readParameter(
	params: ItemParameters,
	name: string,
	field: string,
	itemIndex: number,
	fallback: unknown,
	options?: { extractValue?: boolean },
): unknown | ItemProblem {
	try {
		return params.get(name, itemIndex, fallback, options);
	} catch (error) {
		return problem(itemIndex, field, `could not evaluate ${field}: ${errorText(error)}`);
	}
}

function readMetadata(
	params: ItemParameters,
	item: INodeExecutionData,
	itemIndex: number,
): Record<string, unknown> | ItemProblem {
	const mode = params.get('metadataMode', itemIndex, 'none') as string;
	if (mode === 'none') return {};
	if (mode === 'allFields') {
		const exclude = String(params.get('excludeFields', itemIndex, '') ?? '')
			.split(',')
			.map((f) => f.trim())
			.filter(Boolean);
		return normalizeMetadata(metadataFromOtherFields(item.json, exclude), itemIndex);
	}
	if (mode === 'json') {
		const raw = readParameter(params, 'metadataJson', 'Metadata (JSON)', itemIndex, '{}');
		if (isProblem(raw)) return raw;
		const parsed = typeof raw === 'string' ? parseMetadataJson(raw, itemIndex) : raw;
		if (isProblem(parsed)) return parsed;
		return normalizeMetadata(parsed, itemIndex);
	}
	const fields = readParameter(params, 'metadataFields.field', 'Metadata Fields', itemIndex, []);
	if (isProblem(fields)) return fields;
	const pairs = (Array.isArray(fields) ? fields : []) as Array<{ key: string; value: unknown }>;
	const fromPairs = metadataFromKeyValues(pairs, itemIndex);
	if (isProblem(fromPairs)) return fromPairs;
	return normalizeMetadata(fromPairs, itemIndex);
}

/** Exact sizes of binary data by id, looked up ahead of the per-item checks (see prefetchBinarySizes). */
type BinarySizes = Map<string, Promise<number>>;

/**
 * n8n keeps the exact size of stored binary data in its metadata (a small file per binary in
 * filesystem mode). Reading it item after item costs a round trip each; this starts the lookups for
 * every item up front, 32 at a time. Failures are reported by the per-item check that awaits them.
 */
async function prefetchBinarySizes(
	ctx: IExecuteFunctions,
	params: ItemParameters,
	items: INodeExecutionData[],
): Promise<BinarySizes> {
	const ids = new Set<string>();
	for (let i = 0; i < items.length; i++) {
		try {
			if (params.get('imageSource', i, 'binary') !== 'binary') continue;
			const name = String(params.get('binaryPropertyName', i, 'data') ?? '').trim();
			const id = items[i].binary?.[name]?.id;
			if (id) ids.add(id);
		} catch {
			// the per-item check reports it
		}
	}
	const list = [...ids];
	const sizes: BinarySizes = new Map();
	await runPool(list.length, 32, async (k) => {
		const lookup = ctx.helpers.getBinaryMetadata(list[k]).then((m) => m.fileSize);
		sizes.set(list[k], lookup);
		await lookup.catch(() => undefined);
	});
	return sizes;
}

async function readLocalSource(
	ctx: IExecuteFunctions,
	params: ItemParameters,
	sizes: BinarySizes,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<{ source: LocalSource; fileName: string; contentType: string } | ItemProblem> {
	const imageSource = params.get('imageSource', itemIndex, 'binary') as string;
	if (imageSource === 'binary') {
		const property = readParameter(
			params,
			'binaryPropertyName',
			'Input Binary Field',
			itemIndex,
			'data',
		);
		if (isProblem(property)) return property;
		const name = String(property ?? '').trim();
		const binary = name ? item.binary?.[name] : undefined;
		if (!binary) {
			const available = Object.keys(item.binary ?? {});
			return problem(
				itemIndex,
				'Input Binary Field',
				`Input Binary Field "${name}" is not on the item`,
				available.length
					? `The item has the binary fields: ${available.join(', ')}. Set Input Binary Field to one of them.`
					: 'The item has no binary data. Add a node that reads or downloads the file before this one.',
			);
		}
		const fileName =
			binary.fileName || `${itemIndex}${binary.fileExtension ? '.' + binary.fileExtension : ''}`;
		let size: number | undefined;
		if (binary.id) {
			try {
				size = await (sizes.get(binary.id) ??
					ctx.helpers.getBinaryMetadata(binary.id).then((m) => m.fileSize));
			} catch (error) {
				return problem(
					itemIndex,
					'Input Binary Field',
					`Input Binary Field "${name}" cannot be read: ${errorText(error)}`,
				);
			}
		} else if (typeof binary.data === 'string') {
			size = Buffer.byteLength(binary.data, 'base64');
		}
		if (size === 0) {
			return problem(
				itemIndex,
				'Input Binary Field',
				`Input Binary Field "${name}" is empty (0 bytes)`,
			);
		}
		return {
			source: { kind: 'binary', property: name, binary, size },
			fileName,
			contentType: binary.mimeType || contentTypeForFile(fileName),
		};
	}
	const rawPath = readParameter(params, 'filePath', 'File Path', itemIndex, '');
	if (isProblem(rawPath)) return rawPath;
	const path = typeof rawPath === 'string' ? rawPath.trim() : '';
	if (!path) return problem(itemIndex, 'File Path', 'File Path is empty');
	try {
		// n8n's own file helpers enforce N8N_RESTRICT_FILE_ACCESS_TO, blocked paths and symlinks.
		const resolved = await ctx.helpers.resolvePath(path);
		// Refuse blocked paths, then anything but a regular file, BEFORE n8n's createReadStream opens
		// it: opening a FIFO for reading waits for a writer, which would hang the execution for good.
		if (
			typeof ctx.helpers.isFilePathBlocked === 'function' &&
			ctx.helpers.isFilePathBlocked(resolved)
		) {
			return problem(
				itemIndex,
				'File Path',
				`File Path "${path}" cannot be used: Access to the file is not allowed.`,
				"The file must lie inside the folders n8n may access (N8N_RESTRICT_FILE_ACCESS_TO), and not in n8n's own folder.",
			);
		}
		const info = await stat(resolved);
		if (!info.isFile()) {
			return problem(itemIndex, 'File Path', `File Path "${path}" is not a regular file`);
		}
		const probe = await ctx.helpers.createReadStream(resolved);
		probe.destroy();
		if (info.size === 0)
			return problem(itemIndex, 'File Path', `File Path "${path}" is empty (0 bytes)`);
		const fileName = path.split(/[\\/]/).pop() || path;
		return {
			source: { kind: 'path', path: resolved, size: info.size },
			fileName,
			contentType: contentTypeForFile(fileName),
		};
	} catch (error) {
		const code = (error as { code?: string }).code;
		const reason =
			code === 'ENOENT'
				? 'does not exist'
				: code === 'EACCES' || code === 'EPERM'
					? 'is not readable'
					: errorText(error);
		return problem(
			itemIndex,
			'File Path',
			`File Path "${path}" cannot be used: ${reason}`,
			'The file must exist, be readable by n8n and lie inside the folders n8n may access (N8N_RESTRICT_FILE_ACCESS_TO).',
		);
	}
}

/** The planned items of each dataset, in input order. */
export function groupByDataset(items: PlannedItem[]): Map<string, PlannedItem[]> {
	const groups = new Map<string, PlannedItem[]>();
	for (const p of items) {
		const list = groups.get(p.datasetId) ?? [];
		list.push(p);
		groups.set(p.datasetId, list);
	}
	return groups;
}

/**
 * Reads and validates every input item before anything is sent. Valid items are planned; each
 * invalid one becomes a problem that names the item and the field.
 */
export async function collectAppendPlan(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<AppendPlan> {
	const mode = this.getNodeParameter('mode', 0, 'remote') as AppendMode;
	const update = this.getNodeParameter('update', 0, false) as boolean;
	const planned: PlannedItem[] = [];
	const problems: ItemProblem[] = [];
	const params = new ItemParameters(this, items);
	const sizes: BinarySizes =
		mode === 'local' ? await prefetchBinarySizes(this, params, items) : new Map();

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const item = items[itemIndex];
		const datasetRaw = readParameter(params, 'datasetId', 'Dataset', itemIndex, '', {
			extractValue: true,
		});
		if (isProblem(datasetRaw)) {
			problems.push(datasetRaw);
			continue;
		}
		const datasetId = String(datasetRaw ?? '').trim();
		if (!datasetId) {
			problems.push(problem(itemIndex, 'Dataset', 'Dataset is empty'));
			continue;
		}
		// Same rule as the By ID mode of the dataset picker, which n8n does not apply to expressions.
		if (!DATASET_ID.test(datasetId)) {
			problems.push(
				problem(
					itemIndex,
					'Dataset',
					`Dataset ID "${datasetId.length > 80 ? datasetId.slice(0, 80) + '…' : datasetId}" is not a Nucleus dataset ID`,
					'Dataset IDs start with "ds_" followed by letters and digits, e.g. ds_bw6de8s84pe0vbn6p5zg. Pick the dataset from the list or copy its ID from Nucleus.',
				),
			);
			continue;
		}
		const refRaw = readParameter(params, 'referenceId', 'Reference ID', itemIndex, '');
		const referenceId = isProblem(refRaw) ? refRaw : validateReferenceId(refRaw, itemIndex);
		if (isProblem(referenceId)) {
			problems.push(referenceId);
			continue;
		}
		const metadata = readMetadata(params, item, itemIndex);
		if (isProblem(metadata)) {
			problems.push(metadata);
			continue;
		}
		const options = params.get('options', itemIndex, {}) as IDataObject;
		const width = validateDimension(options.width, 'Width', itemIndex);
		if (isProblem(width)) {
			problems.push(width);
			continue;
		}
		const height = validateDimension(options.height, 'Height', itemIndex);
		if (isProblem(height)) {
			problems.push(height);
			continue;
		}

		if (mode === 'remote') {
			const urlRaw = readParameter(params, 'imageUrl', 'Image URL', itemIndex, '');
			const imageUrl = isProblem(urlRaw) ? urlRaw : validateImageUrl(urlRaw, itemIndex);
			if (isProblem(imageUrl)) {
				problems.push(imageUrl);
				continue;
			}
			planned.push({
				itemIndex,
				datasetId,
				payload: buildDatasetItem({ referenceId, imageUrl, metadata, width, height }),
			});
			continue;
		}

		const local = await readLocalSource(this, params, sizes, item, itemIndex);
		if (isProblem(local)) {
			problems.push(local);
			continue;
		}
		planned.push({
			itemIndex,
			datasetId,
			payload: buildDatasetItem({ referenceId, imageUrl: local.fileName, metadata, width, height }),
			local: local.source,
			fileName: local.fileName,
			contentType: local.contentType,
		});
	}

	// Reference IDs must be unique per dataset within one run (the SDK refuses duplicates too).
	const byDataset = new Map<string, PlannedItem[]>();
	for (const p of planned) {
		const list = byDataset.get(p.datasetId) ?? [];
		list.push(p);
		byDataset.set(p.datasetId, list);
	}
	const duplicated = new Set<number>();
	for (const list of byDataset.values()) {
		for (const dup of findDuplicateReferenceIds(
			list.map((p) => ({ itemIndex: p.itemIndex, referenceId: p.payload.reference_id })),
		)) {
			duplicated.add(dup.itemIndex);
			problems.push(dup);
		}
	}
	problems.sort((a, b) => a.itemIndex - b.itemIndex);
	return {
		mode,
		update,
		planned: duplicated.size ? planned.filter((p) => !duplicated.has(p.itemIndex)) : planned,
		problems,
	};
}
