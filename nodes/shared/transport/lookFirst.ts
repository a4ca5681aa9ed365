/**
 * Look-first for the requests that create something (./retryPolicy.ts, kinds `createDataset` and
 * `uploadAppendJob`): after an ambiguous failure, find out from the API whether the request was done
 * before sending it again. Each look takes a snapshot before the first attempt (what existed) and,
 * after the failure, looks for what appeared since and is recognisably this request's.
 */
import type { AsyncJobInfo, DatasetDetails } from '../api/types';
import { jobListBody, recentDatasetJobsFilter } from '../jobs/list';
import { encodePathSegment } from './util';

export type LookResult =
	/** The request was done; `answer` is what it would have answered. */
	| { state: 'done'; answer: unknown }
	/** Nothing of it exists: send it again. */
	| { state: 'notDone' }
	/** Cannot tell (several candidates, an unreadable list): the policy decides. */
	| { state: 'unknown'; finding: string };

export interface Look {
	/**
	 * Before the first attempt. When it fails, the request still goes; a later look then answers
	 * 'unknown' and the policy's `inconclusive` rule decides.
	 */
	before(): Promise<void>;
	after(): Promise<LookResult>;
}

/** A read through the same client (kind 'read': retried as reads are). */
export type Reader = (method: 'GET' | 'POST', route: string, json?: unknown) => Promise<unknown>;

/**
 * `POST dataset/create` (nucleus-api.md 9): the datasets of `GET dataset/details` named `name` before
 * the request; after, the one of that name that was not listed before is the one it created. The
 * answer is the create answer's shape, `{dataset_id, name}` (ASSUMPTION: the real answer has more
 * fields, api §9 "{dataset_id, ...}"; these two are the ones known).
 */
export function createDatasetLook(read: Reader, name: string): Look {
	let known: Set<string> | undefined;
	const named = async (): Promise<DatasetDetails[] | undefined> => {
		const list = await read('GET', 'dataset/details');
		if (!Array.isArray(list)) return undefined;
		return (list as DatasetDetails[]).filter(
			(d) => d && typeof d.id === 'string' && d.name === name,
		);
	};
	return {
		async before() {
			const list = await named();
			known = new Set((list ?? []).map((d) => d.id));
		},
		async after() {
			if (!known) return { state: 'unknown', finding: 'the dataset list could not be read before' };
			const list = await named();
			if (!list) return { state: 'unknown', finding: 'the dataset list could not be read' };
			const fresh = list.filter((d) => !known!.has(d.id));
			if (fresh.length === 0) return { state: 'notDone' };
			if (fresh.length === 1) {
				return { state: 'done', answer: { dataset_id: fresh[0].id, name: fresh[0].name } };
			}
			return {
				state: 'unknown',
				finding: `${fresh.length} datasets named "${name}" appeared meanwhile (${fresh.map((d) => d.id).join(', ')})`,
			};
		},
	};
}

/** Jobs of one dataset created since yesterday (UTC), every type (`job_types: []`, api §5.1). */
async function listDatasetJobs(
	read: Reader,
	datasetId: string,
): Promise<AsyncJobInfo[] | undefined> {
	const list = await read(
		'POST',
		'jobs/',
		jobListBody(recentDatasetJobsFilter(datasetId, Date.now())),
	);
	if (!Array.isArray(list)) return undefined;
	return (list as AsyncJobInfo[]).filter((j) => j && typeof j.job_id === 'string');
}

/** Most new jobs a look reads the status of; more means a busy dataset where it cannot tell. */
const MAX_CANDIDATES = 20;

/**
 * `POST dataset/{id}/append?async=1` with `{requestId, update}` (api §3.1 step 5): the dataset's jobs
 * before the request; after, the new jobs, each recognised as this request's when its status
 * (`GET job/{id}`) names the requestId anywhere, or counts exactly `itemCount` items in
 * `message.ingest_to_reupload_queue.total` (the status shape of api §5.3: "not a contract", so a job
 * is only taken when one of the two matches). Exactly one recognised job is the answer.
 */
export function uploadJobLook(
	read: Reader,
	datasetId: string,
	requestId: string,
	itemCount: number | undefined,
): Look {
	let known: Set<string> | undefined;
	const carriesThisUpload = (status: unknown): boolean => {
		if (!status || typeof status !== 'object') return false;
		if (JSON.stringify(status).includes(requestId)) return true;
		const message = (status as { message?: unknown }).message;
		const queue =
			message && typeof message === 'object'
				? (message as { ingest_to_reupload_queue?: { total?: unknown } }).ingest_to_reupload_queue
				: undefined;
		return itemCount !== undefined && Number(queue?.total) === itemCount;
	};
	return {
		async before() {
			const jobs = await listDatasetJobs(read, datasetId);
			known = new Set((jobs ?? []).map((j) => j.job_id));
		},
		async after() {
			if (!known) return { state: 'unknown', finding: 'the job list could not be read before' };
			const jobs = await listDatasetJobs(read, datasetId);
			if (!jobs) return { state: 'unknown', finding: 'the job list could not be read' };
			const fresh = jobs.filter(
				(j) => !known!.has(j.job_id) && (j.dataset_id == null || j.dataset_id === datasetId),
			);
			if (fresh.length === 0) return { state: 'notDone' };
			if (fresh.length > MAX_CANDIDATES) {
				return { state: 'unknown', finding: `${fresh.length} new jobs in dataset ${datasetId}` };
			}
			const ours: AsyncJobInfo[] = [];
			for (const job of fresh) {
				const status = await read('GET', `job/${encodePathSegment(job.job_id)}`);
				if (carriesThisUpload(status)) ours.push(job);
			}
			if (ours.length === 1) return { state: 'done', answer: ours[0] };
			if (ours.length === 0) return { state: 'notDone' };
			return {
				state: 'unknown',
				finding: `${ours.length} new jobs look like this upload (${ours.map((j) => j.job_id).join(', ')})`,
			};
		},
	};
}
