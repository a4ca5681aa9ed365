/**
 * The dataset and dataset-item endpoints other than append and metadata (as the Python SDK
 * scaleapi/nucleus-python-client calls them in `nucleus/__init__.py` and `nucleus/dataset.py`), each
 * answer checked against the shape the operation needs before anything is reported. A body that is
 * not that shape is an UnexpectedAnswerError saying what arrived (api/unexpected.ts), never a success.
 *
 * Dataset → Get and Dataset → Delete read `GET dataset/{id}/info` (`length` is the number of items,
 * the SDK's DatasetInfo) and, when `length` is not a whole number, `GET dataset/{id}/size` (`{count}`,
 * the SDK's Dataset.size). `DELETE dataset/{id}` deletes the dataset with all its items, annotations
 * and predictions and answers `{"message": "Beginning dataset deletion..."}`.
 *
 * The `read*` functions are pure (unit-tested); the request functions send one request and read
 * its answer. Routes come from api/paths.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import { oneLine } from '../text';
import type { NucleusClient } from '../transport';
import { routes, serverIdProblem } from './paths';
import type { DatasetDetails } from './types';
import {
	CHECK_BASE_URL,
	describeBody,
	embeddedError,
	isObject,
	unexpectedAnswer,
	UnexpectedAnswerError,
} from './unexpected';

function isCount(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function refused(request: string, error: string, note?: string): UnexpectedAnswerError {
	return new UnexpectedAnswerError(
		`Nucleus answered ${request} with an error: ${error}`,
		note ??
			'The request reached Nucleus (HTTP 2xx) but its body reports an error; check the values named in it.',
	);
}

// ---------------------------------------------------------------------------------------------
// Readers (pure)

/** `POST dataset/create` → `{dataset_id, …}` (the SDK's `NucleusClient.create_dataset`). */
export function readCreatedDataset(raw: unknown, name: string): IDataObject {
	const request = 'POST dataset/create';
	const error = embeddedError(raw);
	if (error) throw refused(request, error, 'Nucleus did not create the dataset; check the Name.');
	if (!isObject(raw) || serverIdProblem(raw.dataset_id) !== undefined) {
		throw unexpectedAnswer(
			request,
			'the new dataset (an object with its dataset_id)',
			raw,
			'The dataset may have been created anyway: look for it with Dataset → Get Many before creating it again.',
		);
	}
	return { ...(raw as IDataObject), name: typeof raw.name === 'string' ? raw.name : name };
}

/** `GET dataset/{id}/info` → `{dataset_id, name, length, …}` about the dataset asked for. */
export function readDatasetInfo(raw: unknown, datasetId: string, request: string): IDataObject {
	const error = embeddedError(raw);
	if (error) throw refused(request, error);
	if (!isObject(raw) || typeof raw.name !== 'string') {
		throw unexpectedAnswer(request, "the dataset's info (an object with its name)", raw);
	}
	if (raw.dataset_id !== undefined && raw.dataset_id !== datasetId) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with the info of another dataset (${oneLine(String(raw.dataset_id), 60)})`,
			'The answer is not about the dataset asked for; nothing is reported. Check the Base URL in the credential.',
		);
	}
	return raw as IDataObject;
}

/**
 * `GET dataset/{id}/size` → `{count}`: the number of items. Anything else is an UnexpectedAnswerError
 * (no count is ever guessed).
 */
export function readDatasetSize(raw: unknown, datasetId: string, request: string): number {
	const error = embeddedError(raw);
	if (error) throw refused(request, error);
	if (!isObject(raw) || !isCount(raw.count)) {
		throw new UnexpectedAnswerError(
			`Nucleus did not say how many items dataset ${datasetId} holds: it answered ${request} with ${describeBody(raw)}; expected an object with a whole-number "count"`,
			`Neither the dataset's info (length) nor its size (count) gave a whole number. ${CHECK_BASE_URL}`,
		);
	}
	return raw.count;
}

/**
 * `DELETE dataset/{id}` → `{"message": "Beginning dataset deletion..."}` (the SDK's `tests/test_dataset.py`); returns
 * the message, or null. As for an item, success is a 2xx answer with an empty body or a JSON object,
 * unless that object reports an error or names another dataset. Anything else (HTML, text, truncated
 * JSON, a list) is refused: the dataset may or may not be deleted.
 */
export function readDatasetDeleteAnswer(
	raw: unknown,
	datasetId: string,
	request: string,
): string | null {
	const check = 'Check with Dataset → Get whether the dataset is still there.';
	const error = embeddedError(raw);
	if (error) throw refused(request, error, `The dataset may not be deleted. ${check}`);
	if (raw === undefined) return null;
	if (!isObject(raw)) {
		throw unexpectedAnswer(
			request,
			'an empty body or a JSON object',
			raw,
			`The dataset may or may not be deleted. ${check}`,
		);
	}
	if (raw.dataset_id !== undefined && raw.dataset_id !== datasetId) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} about another dataset (${oneLine(String(raw.dataset_id), 60)})`,
			`The answer is not about the dataset asked for. ${check}`,
		);
	}
	return typeof raw.message === 'string' ? raw.message : null;
}

/** `GET dataset/details` → a list of `{id, name, is_public}` (the SDK's `NucleusClient.datasets`). */
export function readDatasetList(raw: unknown): DatasetDetails[] {
	const request = 'GET dataset/details';
	const error = embeddedError(raw);
	if (error) throw refused(request, error);
	if (!Array.isArray(raw)) {
		throw unexpectedAnswer(request, 'a list of datasets (a JSON array of {id, name})', raw);
	}
	raw.forEach((entry: unknown, index) => {
		if (
			!isObject(entry) ||
			typeof entry.name !== 'string' ||
			serverIdProblem(entry.id) !== undefined
		) {
			throw unexpectedAnswer(
				`${request} (entry ${index} of ${raw.length})`,
				'a dataset (an object with a text id and name)',
				entry,
			);
		}
	});
	return raw as DatasetDetails[];
}

/** `GET dataset/{id}/refloc/{ref}` → `{item, annotations}` about the item asked for. */
export function readItem(raw: unknown, referenceId: string, request: string): IDataObject {
	const error = embeddedError(raw);
	if (error) throw refused(request, error);
	const annotations = isObject(raw) ? raw.annotations : undefined;
	if (
		!isObject(raw) ||
		!isObject(raw.item) ||
		!(annotations === undefined || annotations === null || isObject(annotations))
	) {
		throw unexpectedAnswer(request, 'the item (an object with "item" and "annotations")', raw);
	}
	const item = raw.item;
	// The backend sometimes sends the reference ID as `ref_id` (the SDK's
	// `DatasetItem.from_json`; `nucleus/constants.py`: "Our backend returns this instead of the proper
	// key sometimes").
	const answeredRef = item.reference_id ?? item.ref_id;
	if (answeredRef !== undefined && answeredRef !== referenceId) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with another item (reference ID ${oneLine(String(answeredRef), 60)})`,
			'The answer is not about the item asked for; nothing is reported. Check the Base URL in the credential.',
		);
	}
	return { ...(item as IDataObject), annotations: (annotations ?? {}) as IDataObject };
}

export interface ItemsPage {
	items: IDataObject[];
	/** null when this is the last page. */
	nextPageToken: string | null;
}

/** `POST dataset/{id}/itemsPage` → `{items: [...], nextPageToken}` (the SDK's `Dataset.items_generator`). */
export function readItemsPage(raw: unknown, request: string): ItemsPage {
	const error = embeddedError(raw);
	if (error) throw refused(request, error);
	const expected = 'a page of items (an object with an "items" list and "nextPageToken")';
	if (!isObject(raw) || !Array.isArray(raw.items)) throw unexpectedAnswer(request, expected, raw);
	const token = raw.nextPageToken;
	if (!(token === undefined || token === null || typeof token === 'string')) {
		throw unexpectedAnswer(request, expected, raw);
	}
	const bad = raw.items.findIndex((item) => !isObject(item));
	if (bad >= 0) {
		throw unexpectedAnswer(
			`${request} (item ${bad} of the page)`,
			'an item (a JSON object)',
			raw.items[bad],
		);
	}
	return { items: raw.items as IDataObject[], nextPageToken: token ? token : null };
}

/**
 * `DELETE dataset/{id}/refloc/{ref}`. What the real API answers is not public (the SDK's
 * `Dataset.delete_item` says only "payload to indicate deletion invocation"), so success is a 2xx answer with an empty body
 * or a JSON object, unless that object reports an error (`{error, status_code}` bodies exist with a
 * 2xx status: the SDK's `NucleusClient.create_model` reads them) or names another dataset or item. Anything else (HTML, text, truncated
 * JSON, a list) is refused: the item may or may not be deleted.
 */
export function readDeleteAnswer(
	raw: unknown,
	datasetId: string,
	referenceId: string,
	request: string,
): void {
	const check = 'Check with Dataset Item → Get whether the item is still there.';
	const error = embeddedError(raw);
	if (error) throw refused(request, error, `The item may not be deleted. ${check}`);
	if (raw === undefined) return;
	if (!isObject(raw)) {
		throw unexpectedAnswer(
			request,
			'an empty body or a JSON object',
			raw,
			`The item may or may not be deleted. ${check}`,
		);
	}
	const ref = raw.reference_id ?? raw.ref_id;
	if (
		(raw.dataset_id !== undefined && raw.dataset_id !== datasetId) ||
		(ref !== undefined && ref !== referenceId)
	) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} about another item (${oneLine(JSON.stringify({ dataset_id: raw.dataset_id, reference_id: ref }), 120)})`,
			`The answer is not about the item asked for. ${check}`,
		);
	}
}

// ---------------------------------------------------------------------------------------------
// Requests

export async function createDataset(
	client: NucleusClient,
	input: { name: string; usePrivacyMode: boolean },
	itemIndex?: number,
): Promise<IDataObject> {
	const raw = await client.request('POST', routes.datasetCreate(), {
		kind: 'createDataset',
		itemIndex,
		json: {
			name: input.name,
			is_scene: false,
			use_privacy_mode: input.usePrivacyMode,
			item_metadata_schema: null,
			annotation_metadata_schema: null,
		},
	});
	return readCreatedDataset(raw, input.name);
}

/**
 * The dataset's info (checked: it must be about this dataset and carry its name) plus `item_count`,
 * its number of items: the info's `length` when it is a whole number, else the answer of
 * `GET dataset/{id}/size`.
 */
export async function getDatasetInfo(
	client: NucleusClient,
	datasetId: string,
	itemIndex?: number,
): Promise<IDataObject & { item_count: number }> {
	const route = routes.datasetInfo(datasetId);
	const raw = await client.request('GET', route, { itemIndex });
	const info = readDatasetInfo(raw, datasetId, `GET ${route}`);
	if (isCount(info.length)) return { ...info, item_count: info.length };
	const sizeRoute = routes.datasetSize(datasetId);
	const size = await client.request('GET', sizeRoute, { itemIndex });
	return { ...info, item_count: readDatasetSize(size, datasetId, `GET ${sizeRoute}`) };
}

/** `DELETE dataset/{id}`; returns the server's message (the deletion runs on after it answers). */
export async function deleteDataset(
	client: NucleusClient,
	datasetId: string,
	itemIndex?: number,
): Promise<string | null> {
	const route = routes.dataset(datasetId);
	// Like the SDK, DELETE sends `{}` when there is nothing else to send (`nucleus/connection.py`).
	const raw = await client.request('DELETE', route, { itemIndex, json: {} });
	return readDatasetDeleteAnswer(raw, datasetId, `DELETE ${route}`);
}

export async function listDatasets(
	client: NucleusClient,
	itemIndex?: number,
): Promise<DatasetDetails[]> {
	return readDatasetList(await client.request('GET', routes.datasetDetails(), { itemIndex }));
}

export async function getItem(
	client: NucleusClient,
	datasetId: string,
	referenceId: string,
	itemIndex?: number,
): Promise<IDataObject> {
	const route = routes.datasetItem(datasetId, referenceId);
	const raw = await client.request('GET', route, { itemIndex });
	return readItem(raw, referenceId, `GET ${route}`);
}

export async function getItemsPage(
	client: NucleusClient,
	datasetId: string,
	page: { pageSize: number; pageToken: string | null },
	itemIndex?: number,
): Promise<ItemsPage> {
	const route = routes.datasetItemsPage(datasetId);
	const raw = await client.request('POST', route, { itemIndex, kind: 'read', json: page });
	return readItemsPage(raw, `POST ${route}`);
}

export async function deleteItem(
	client: NucleusClient,
	datasetId: string,
	referenceId: string,
	itemIndex?: number,
): Promise<void> {
	const route = routes.datasetItem(datasetId, referenceId);
	// Like the SDK, DELETE sends `{}` when there is nothing else to send (`nucleus/connection.py`).
	const raw = await client.request('DELETE', route, { itemIndex, kind: 'deleteItem', json: {} });
	readDeleteAnswer(raw, datasetId, referenceId, `DELETE ${route}`);
}
