/**
 * Dataset endpoints used by Dataset → Get and Dataset → Delete (nucleus-api.md 9): `GET
 * dataset/{id}/info` (`length` is the number of items, the SDK's DatasetInfo), `GET dataset/{id}/size`
 * (`{count}`, the SDK's Dataset.size) and `DELETE dataset/{id}`, which deletes the dataset with all
 * its items, annotations and predictions and answers `{"message": "Beginning dataset deletion..."}`.
 */
import type { IDataObject } from 'n8n-workflow';
import { OperationalError } from 'n8n-workflow';

import type { NucleusClient } from '../transport';
import { encodePathSegment } from '../transport';

function isCount(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/**
 * The dataset's info plus `item_count`, its number of items: the info's `length` when it is a whole
 * number, else the answer of `GET dataset/{id}/size`.
 */
export async function getDatasetInfo(
	client: NucleusClient,
	datasetId: string,
	itemIndex?: number,
): Promise<IDataObject & { item_count: number }> {
	const route = `dataset/${encodePathSegment(datasetId)}`;
	const info = await client.request<unknown>('GET', `${route}/info`, { itemIndex });
	if (typeof info !== 'object' || info === null || Array.isArray(info)) {
		throw new OperationalError(`Nucleus answered the info of dataset ${datasetId} with no object`, {
			description: 'Check the dataset ID and the Base URL in the credential.',
		});
	}
	const out = info as IDataObject;
	if (isCount(out.length)) return { ...out, item_count: out.length };
	const size = await client.request<{ count?: unknown } | null>('GET', `${route}/size`, {
		itemIndex,
	});
	if (!isCount(size?.count)) {
		throw new OperationalError(`Nucleus did not say how many items dataset ${datasetId} holds`, {
			description: 'Neither dataset info (length) nor dataset size (count) gave a whole number.',
		});
	}
	return { ...out, item_count: size.count };
}

/** `DELETE dataset/{id}`; returns the server's message (the deletion runs on after it answers). */
export async function deleteDataset(
	client: NucleusClient,
	datasetId: string,
	itemIndex?: number,
): Promise<string | null> {
	const answer = await client.request<unknown>(
		'DELETE',
		`dataset/${encodePathSegment(datasetId)}`,
		{
			itemIndex,
			json: {},
		},
	);
	const message = (answer as { message?: unknown } | null)?.message;
	return typeof message === 'string' ? message : null;
}
