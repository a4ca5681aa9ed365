/**
 * What an append answered, checked before anything is reported (the Python SDK
 * scaleapi/nucleus-python-client: v0.18.8's `nucleus/upload_response.py` for the counts,
 * `AsyncJob.from_json` for the job, PR #468 for the move to asynchronous uploads).
 *
 * Since July 2026 every append should answer with an AsyncJob; a server that still runs the pre-2026
 * synchronous path answers with counts. Either is accepted from either wire form, because what
 * today's server answers to the old forms is unknown. Anything else (HTML, `{}`, a job without an
 * ID, counts that are not numbers) is refused with a preview of the answer: no item is reported
 * appended without a job or a count that says so.
 */
import { OperationalError } from 'n8n-workflow';

import { oneLine } from '../text';
import type { AsyncJobInfo } from './types';

export interface AppendCounts {
	new_items: number;
	updated_items: number;
	ignored_items: number;
	upload_errors: number;
	/** Failed items as the server lists them (item JSON, sometimes with `error`). */
	error_payload: Array<Record<string, unknown>>;
}

export type AppendAnswer =
	| { kind: 'job'; job: AsyncJobInfo }
	| { kind: 'counts'; counts: AppendCounts };

const COUNT_KEYS = ['new_items', 'updated_items', 'ignored_items', 'upload_errors'] as const;

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

function isCount(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

/** The AsyncJob in an answer, or undefined when it has no usable job ID. */
function readAsyncJob(raw: unknown): AsyncJobInfo | undefined {
	if (!isObject(raw)) return undefined;
	const id = raw.job_id;
	if (typeof id !== 'string' || !/^\S{1,200}$/.test(id)) return undefined;
	const status =
		typeof raw.job_last_known_status === 'string'
			? raw.job_last_known_status
			: typeof raw.status === 'string'
				? raw.status
				: 'Queued';
	return {
		job_id: id,
		job_last_known_status: status,
		job_type: typeof raw.job_type === 'string' ? raw.job_type : 'uploadDatasetItems',
		job_creation_time:
			typeof raw.job_creation_time === 'string' ? raw.job_creation_time : new Date().toISOString(),
		...(typeof raw.dataset_id === 'string' ? { dataset_id: raw.dataset_id } : {}),
	};
}

/**
 * Classifies an append answer. Throws an OperationalError naming what came back when it is neither
 * a job nor a complete set of counts (each count a whole number; `error_payload` a list if present).
 */
export function readAppendAnswer(raw: unknown, datasetId: string): AppendAnswer {
	const job = readAsyncJob(raw);
	if (job) return { kind: 'job', job };
	if (isObject(raw) && COUNT_KEYS.some((k) => k in raw)) {
		const missing = COUNT_KEYS.filter((k) => !isCount(raw[k]));
		const payload = raw.error_payload;
		if (
			missing.length === 0 &&
			(payload === undefined || payload === null || Array.isArray(payload))
		) {
			if (typeof raw.dataset_id === 'string' && raw.dataset_id !== datasetId) {
				throw new OperationalError(
					`Nucleus answered the append to dataset ${datasetId} with counts for dataset ${raw.dataset_id}`,
				);
			}
			return {
				kind: 'counts',
				counts: {
					new_items: raw.new_items as number,
					updated_items: raw.updated_items as number,
					ignored_items: raw.ignored_items as number,
					upload_errors: raw.upload_errors as number,
					error_payload: ((payload as unknown[] | undefined) ?? []).filter(isObject),
				},
			};
		}
	}
	throw new OperationalError(
		`Nucleus answered the append to dataset ${datasetId} with neither a job nor item counts: ${preview(raw)}`,
	);
}
