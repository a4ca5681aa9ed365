/**
 * Item metadata updates (the SDK's `Dataset.update_item_metadata` and `nucleus/metadata_manager.py`):
 * `POST dataset/{id}/metadata?async=0|1` with `{"metadata": [{reference_id, metadata}], "level": "item"}`.
 * Nucleus merges the sent keys into each item's metadata (a sent key wins, the others stay), unlike a
 * re-append with update, which replaces the metadata. The SDK refuses more than 500 items in one
 * synchronous request ("too large to perform it synchronously"); asynchronously it answers with an
 * AsyncJob. Sending the same merge twice gives the same metadata, so the transport may retry it (an
 * asynchronous retry may start a second job doing the same merge).
 *
 * The synchronous answer is not public (the SDK calls it "a dictionary outlining success or
 * failures"). It is read for `updated_items` (a count) and `errors` (texts naming the reference IDs
 * that failed); an answer that is not an object, or that carries only an `error`, is refused with an
 * UnexpectedAnswerError saying what arrived (api/unexpected.ts). Items the answer does not account
 * for are reported as such by the caller, never as updated. The route comes from api/paths.ts.
 */
import { parseJobErrors, type JobError } from '../jobs/errors';
import { oneLine } from '../text';
import type { NucleusClient } from '../transport';
import { routes, serverIdProblem } from './paths';
import type { AsyncJobInfo } from './types';
import { embeddedError, isObject, unexpectedAnswer, UnexpectedAnswerError } from './unexpected';

/** Most items of one synchronous request (the SDK's limit in MetadataManager). */
export const MAX_SYNC_METADATA_ITEMS = 500;
/** The job type of an asynchronous metadata update (the SDK's CustomerJobTypes.METADATA_UPDATE). */
export const METADATA_JOB_TYPE = 'metadataUpdate';

export interface MetadataUpdateEntry {
	reference_id: string;
	metadata: Record<string, unknown>;
}

/**
 * What a synchronous update answered: the counts it gives (null when none) and its error texts.
 * `failedItems` is optional: only some answers carry it.
 */
export interface MetadataUpdateResult {
	updatedItems: number | null;
	failedItems?: number | null;
	errors: JobError[];
}

function readCount(value: unknown): number | null {
	return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

const NOT_REPORTED = 'No item is reported updated.';

/** How the readers name the request in their errors: `POST dataset/ds_x/metadata?async=0`. */
export function metadataRequest(datasetId: string, asynchronous: boolean): string {
	return `POST ${routes.datasetMetadata(datasetId)}?async=${asynchronous ? 1 : 0}`;
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
	return await client.request('POST', routes.datasetMetadata(datasetId), {
		itemIndex: options.itemIndex,
		query: { async: options.asynchronous ? 1 : 0 },
		json: { metadata: entries, level: 'item' },
	});
}

/**
 * Reads the answer of a synchronous update; an answer that is not an object, or that carries only an
 * error, is an UnexpectedAnswerError naming what came back.
 */
export function readMetadataResult(
	raw: unknown,
	datasetId: string,
	request = metadataRequest(datasetId, false),
): MetadataUpdateResult {
	if (!isObject(raw)) {
		throw unexpectedAnswer(
			request,
			'the result of the metadata update (a JSON object)',
			raw,
			`${NOT_REPORTED} The metadata may be updated anyway; running the same update again gives the same metadata.`,
		);
	}
	if (raw.dataset_id !== undefined && raw.dataset_id !== datasetId) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} about another dataset (${oneLine(String(raw.dataset_id), 60)})`,
			`The answer is not about the dataset asked for. ${NOT_REPORTED} Check the Base URL in the credential.`,
		);
	}
	const updatedItems = readCount(raw.updated_items);
	// Some Nucleus endpoints put {error, status_code} in a 2xx body (the SDK's `NucleusClient.create_model`).
	const error = embeddedError(raw);
	if (error && updatedItems === null) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with an error: ${error}`,
			`The request reached Nucleus (HTTP 2xx) but its body reports an error; check the values named in it. ${NOT_REPORTED}`,
		);
	}
	const errors = raw.errors === undefined || raw.errors === null ? [] : parseJobErrors(raw.errors);
	const failedItems = readCount(raw.failed_items);
	return failedItems === null ? { updatedItems, errors } : { updatedItems, failedItems, errors };
}

/**
 * Reads the AsyncJob an asynchronous update answers with. An answer without a usable job ID (one
 * path segment, api/paths.ts), carrying an error, or naming a job of another dataset is an
 * UnexpectedAnswerError: no job is waited on and no item is reported updated.
 */
export function readMetadataJob(
	raw: unknown,
	datasetId: string,
	request = metadataRequest(datasetId, true),
): AsyncJobInfo {
	const error = embeddedError(raw);
	if (error) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with an error: ${error}`,
			`The request reached Nucleus (HTTP 2xx) but its body reports an error instead of a job. ${NOT_REPORTED}`,
		);
	}
	const id = isObject(raw) ? raw.job_id : undefined;
	if (!isObject(raw) || serverIdProblem(id) !== undefined) {
		throw unexpectedAnswer(
			request,
			'the job of the update (an object with its job_id)',
			raw,
			`${NOT_REPORTED} A job may have been started anyway: look for it with Job → Get Many (Job Types: Metadata Update).`,
		);
	}
	if (raw.dataset_id !== undefined && raw.dataset_id !== datasetId) {
		throw new UnexpectedAnswerError(
			`Nucleus answered ${request} with a job of another dataset (${oneLine(String(raw.dataset_id), 60)})`,
			`The answer is not about the dataset asked for; the job is not waited on. ${NOT_REPORTED} Check the Base URL in the credential.`,
		);
	}
	const status =
		typeof raw.job_last_known_status === 'string'
			? raw.job_last_known_status
			: typeof raw.status === 'string'
				? raw.status
				: 'Queued';
	return {
		job_id: id as string,
		job_last_known_status: status,
		job_type: typeof raw.job_type === 'string' ? raw.job_type : METADATA_JOB_TYPE,
		job_creation_time:
			typeof raw.job_creation_time === 'string' ? raw.job_creation_time : new Date().toISOString(),
		dataset_id: typeof raw.dataset_id === 'string' ? raw.dataset_id : datasetId,
	};
}
