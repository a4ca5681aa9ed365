/**
 * Item metadata updates (the SDK's `Dataset.update_item_metadata`, nucleus-api.md 8):
 * `POST dataset/{id}/metadata?async=0|1` with `{"metadata": [{reference_id, metadata}], "level": "item"}`.
 * Nucleus merges the sent keys into each item's metadata (a sent key wins, the others stay), unlike a
 * re-append with update, which replaces the metadata. The SDK refuses more than 500 items in one
 * synchronous request ("too large to perform it synchronously"); asynchronously it answers with an
 * AsyncJob. Sending the same merge twice gives the same metadata, so the transport may retry it (an
 * asynchronous retry may start a second job doing the same merge).
 *
 * The synchronous answer is not public (the SDK calls it "a dictionary outlining success or
 * failures"). It is read for `updated_items` (a count) and `errors` (texts naming the reference IDs
 * that failed); an answer that is not an object, or that carries only an `error`, is refused. Items
 * the answer does not account for are reported as such by the caller, never as updated.
 */
import { OperationalError } from 'n8n-workflow';

import { parseJobErrors, type JobError } from '../jobs/errors';
import { oneLine } from '../text';
import type { NucleusClient } from '../transport';
import { encodePathSegment } from '../transport';
import type { AsyncJobInfo } from './types';

/** Most items of one synchronous request (the SDK's limit in MetadataManager). */
export const MAX_SYNC_METADATA_ITEMS = 500;
/** The job type of an asynchronous metadata update (the SDK's CustomerJobTypes.METADATA_UPDATE). */
export const METADATA_JOB_TYPE = 'metadataUpdate';

export interface MetadataUpdateEntry {
	reference_id: string;
	metadata: Record<string, unknown>;
}

/** What a synchronous update answered: the count it gives (null when none) and its error texts. */
export interface MetadataUpdateResult {
	updatedItems: number | null;
	errors: JobError[];
}

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function preview(raw: unknown): string {
	if (raw === undefined || raw === '') return 'an empty body';
	let text: string;
	try {
		text = typeof raw === 'string' ? raw : JSON.stringify(raw);
	} catch {
		text = String(raw);
	}
	return `'${oneLine(text, 120)}'`;
}

/**
 * One `POST dataset/{id}/metadata` request; returns the raw answer (checked by the readers below).
 * Synchronous requests must carry at most MAX_SYNC_METADATA_ITEMS entries: callers batch.
 */
export async function postMetadataUpdate(
	client: NucleusClient,
	datasetId: string,
	entries: MetadataUpdateEntry[],
	options: { asynchronous: boolean; itemIndex?: number },
): Promise<unknown> {
	return await client.request('POST', `dataset/${encodePathSegment(datasetId)}/metadata`, {
		itemIndex: options.itemIndex,
		query: { async: options.asynchronous ? 1 : 0 },
		json: { metadata: entries, level: 'item' },
	});
}

/** Reads the answer of a synchronous update; throws an OperationalError naming what came back. */
export function readMetadataResult(raw: unknown, datasetId: string): MetadataUpdateResult {
	if (!isObject(raw)) {
		throw new OperationalError(
			`Nucleus answered the metadata update of dataset ${datasetId} with ${preview(raw)}, not an object`,
			{ description: 'Check the Base URL in the credential. No item is reported updated.' },
		);
	}
	const count = raw.updated_items;
	const updatedItems =
		typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : null;
	if (typeof raw.error === 'string' && updatedItems === null) {
		// Some Nucleus endpoints put {error, status_code} in a 2xx body (nucleus-api.md 7).
		throw new OperationalError(
			`Nucleus refused the metadata update of dataset ${datasetId}: ${oneLine(raw.error, 300)}`,
		);
	}
	const errors = raw.errors === undefined || raw.errors === null ? [] : parseJobErrors(raw.errors);
	return { updatedItems, errors };
}

/** Reads the AsyncJob an asynchronous update answers with; throws when it has no usable job ID. */
export function readMetadataJob(raw: unknown, datasetId: string): AsyncJobInfo {
	const id = isObject(raw) ? raw.job_id : undefined;
	if (!isObject(raw) || typeof id !== 'string' || !/^\S{1,200}$/.test(id)) {
		throw new OperationalError(
			`Nucleus answered the asynchronous metadata update of dataset ${datasetId} without a job: ${preview(raw)}`,
			{ description: 'Check the Base URL in the credential. No item is reported updated.' },
		);
	}
	const status =
		typeof raw.job_last_known_status === 'string'
			? raw.job_last_known_status
			: typeof raw.status === 'string'
				? raw.status
				: 'Queued';
	return {
		job_id: id,
		job_last_known_status: status,
		job_type: typeof raw.job_type === 'string' ? raw.job_type : METADATA_JOB_TYPE,
		job_creation_time:
			typeof raw.job_creation_time === 'string' ? raw.job_creation_time : new Date().toISOString(),
		dataset_id: typeof raw.dataset_id === 'string' ? raw.dataset_id : datasetId,
	};
}
