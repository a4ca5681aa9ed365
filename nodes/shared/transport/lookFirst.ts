/**
 * Look-first for the requests that create something (./retryPolicy.ts, kinds `createDataset` and
 * `uploadAppendJob`): after an ambiguous failure, and only then, find out from the API whether the
 * request was done before sending it again.
 *
 * THE IDENTITY RULE: something is taken as this request's only on evidence no other writer could
 * produce. A name is not such evidence, nor an item count, nor a job created before the request was
 * first sent, nor a list that could not be read (a 2xx of the wrong shape counts as unreadable).
 *  - Dataset → Create: `GET dataset/details` gives `{id, name, is_public}` only — no creation time,
 *    no owner, no request ID (the SDK's `NucleusClient.datasets`, scaleapi/nucleus-python-client) —
 *    so no dataset is ever adopted: none of that name means "create again", one or more means
 *    "cannot tell" (the policy stops, naming them).
 *  - The presigned append: the job's status names the upload it reads (its message's `PayloadUrl`;
 *    the SDK's tests/test_dataset.py blanks `status["message"]["PayloadUrl"]` of an append job), and
 *    the upload's key carries the requestId this request generated (`uuid4().hex`, SDK
 *    nucleus/utils.py `serialize_and_write_to_presigned_url`). ASSUMPTION: the requestId or our
 *    upload's path appears in the status; a job that does not name them is never adopted.
 * The decisions are pure (`judgeCreateLook`, `uploadJobCandidates`, `judgeUploadJobs`); the looks
 * only read.
 */
import { readServerTime } from '../dates';
import type { DatasetDetails } from '../api/types';
import { jobListBody, recentDatasetJobsFilter, type JobListFilter } from '../jobs/list';
import { encodePathSegment, isAbortError, makeAbortError } from './util';

export type LookResult =
	/** The request was done; `answer` is what it would have answered. */
	| { state: 'done'; answer: unknown }
	/** Nothing of it exists: send it again. */
	| { state: 'notDone' }
	/** Cannot tell (a list that cannot be read, something that may be ours): the policy decides. */
	| { state: 'unknown'; finding: string };

export interface Look {
	/** After an ambiguous failure; `firstSentAtMs` is when the request's first attempt was sent. */
	after(firstSentAtMs: number): Promise<LookResult>;
}

/** A read through the same client (kind 'read'). */
export type Reader = (method: 'GET' | 'POST', route: string, json?: unknown) => Promise<unknown>;

// ---------------------------------------------------------------------------------------------
// Dataset → Create

const MAX_NAMED_IDS = 10;

/**
 * The dataset list after a create lost its answer, judged for `name`. Never `done`: the list cannot
 * tell our dataset from another writer's, or from ours applied after the Request Timeout.
 */
export function judgeCreateLook(list: unknown, name: string): LookResult {
	if (!Array.isArray(list))
		return { state: 'unknown', finding: 'the dataset list could not be read' };
	const ids = (list as Array<Partial<DatasetDetails> | null>)
		.filter((d) => d && typeof d.id === 'string' && d.name === name)
		.map((d) => d!.id!);
	if (ids.length === 0) return { state: 'notDone' };
	const shown = ids.slice(0, MAX_NAMED_IDS).join(', ');
	const more = ids.length > MAX_NAMED_IDS ? ` and ${ids.length - MAX_NAMED_IDS} more` : '';
	return {
		state: 'unknown',
		finding: `${ids.length === 1 ? 'a dataset' : `${ids.length} datasets`} named "${name}" ${ids.length === 1 ? 'exists' : 'exist'} (${shown}${more}); one may be the one this request created, or another writer's, and Nucleus's list cannot tell them apart`,
	};
}

/** `POST dataset/create`: one listing after the failure, judged by `judgeCreateLook`. */
export function createDatasetLook(read: Reader, name: string): Look {
	return {
		async after() {
			return judgeCreateLook(await read('GET', 'dataset/details'), name);
		},
	};
}

// ---------------------------------------------------------------------------------------------
// The presigned append

/** Most jobs a look reads the status of; more means a busy dataset where it cannot tell. */
export const MAX_CANDIDATES = 20;

/** A job may carry a creation time up to this much before our first send (clock skew). */
export const CLOCK_SKEW_MS = 10 * 60_000;

/** The job type of an append (the SDK's CustomerJobTypes). */
const UPLOAD_JOB_TYPE = 'uploadDatasetItems';

/** A listed job that may be this request's. */
export interface CandidateJob {
	job_id: string;
	/** Epoch ms, or undefined when the entry's time is missing or unreadable. */
	createdMs?: number;
	/** The entry as listed (the append's answer shape, an AsyncJob). */
	entry: Record<string, unknown>;
}

/** What ties a job to this request. */
export interface UploadEvidence {
	/** The requestId sent with the append (32 hex, ours alone). */
	requestId: string;
	/** The path of the presigned URL the file went to, query left out ('' when unknown). */
	uploadPath: string;
	firstSentAtMs: number;
}

/**
 * The filter of `POST jobs/` for the look (the SDK's JobInfoRequestPayload): this dataset's append
 * jobs (`uploadDatasetItems`, the SDK's CustomerJobTypes) from the UTC day before the first send.
 * The API compares by day and its order is not public, so the limit stays the largest.
 */
export function uploadJobsFilter(datasetId: string, firstSentAtMs: number): JobListFilter {
	return { ...recentDatasetJobsFilter(datasetId, firstSentAtMs), jobTypes: [UPLOAD_JOB_TYPE] };
}

/**
 * The listed jobs that may be this request's: of this dataset (or not saying), of the append's type
 * (or not saying), created at or after the first send minus the clock skew (or of unreadable time).
 * undefined: the answer is not a list, so nothing can be told from it.
 */
export function uploadJobCandidates(
	list: unknown,
	datasetId: string,
	firstSentAtMs: number,
): CandidateJob[] | undefined {
	if (!Array.isArray(list)) return undefined;
	const candidates: CandidateJob[] = [];
	for (const entry of list as unknown[]) {
		if (!entry || typeof entry !== 'object') continue;
		const job = entry as Record<string, unknown>;
		if (typeof job.job_id !== 'string' || !job.job_id) continue;
		if (job.dataset_id != null && job.dataset_id !== datasetId) continue;
		if (job.job_type != null && job.job_type !== UPLOAD_JOB_TYPE) continue;
		const createdMs = readServerTime(job.job_creation_time) ?? undefined;
		if (createdMs !== undefined && createdMs < firstSentAtMs - CLOCK_SKEW_MS) continue;
		candidates.push({ job_id: job.job_id, createdMs, entry: job });
	}
	return candidates;
}

/** The status names this upload: its requestId, or the path of the presigned URL it went to. */
function namesUpload(status: unknown, evidence: UploadEvidence): boolean {
	if (!status || typeof status !== 'object') return false;
	const text = JSON.stringify(status);
	// A path of a few characters ('/upload') could appear in anyone's status; ours has its key.
	const path = evidence.uploadPath.replace(/^\/+/, '');
	return text.includes(evidence.requestId) || (path.length >= 16 && text.includes(path));
}

/**
 * The candidates with their status (`GET job/{id}`, or the error reading it), judged: `done` with
 * the earliest job that names this upload; `unknown` when none does but a status could not be
 * read; `notDone` otherwise. An item count is never evidence: another run's job of the same size
 * would lose this run's items.
 */
export function judgeUploadJobs(
	candidates: Array<{ job: CandidateJob; status: unknown }>,
	evidence: UploadEvidence,
): LookResult {
	const ours = candidates
		.filter(({ status }) => !(status instanceof Error) && namesUpload(status, evidence))
		.map(({ job }) => job)
		.filter(
			(job) =>
				job.createdMs === undefined || job.createdMs >= evidence.firstSentAtMs - CLOCK_SKEW_MS,
		)
		.sort((a, b) => (a.createdMs ?? Infinity) - (b.createdMs ?? Infinity));
	if (ours.length > 0) return { state: 'done', answer: ours[0].entry };
	const unread = candidates
		.filter(({ status }) => status instanceof Error)
		.map(({ job }) => job.job_id);
	if (unread.length > 0) {
		return {
			state: 'unknown',
			finding: `the status of job ${unread.join(', ')} could not be read`,
		};
	}
	return { state: 'notDone' };
}

/**
 * `POST dataset/{id}/append?async=1` with `{requestId, update}` (api §3.1 step 5): this dataset's
 * append jobs since the first send, each read (`GET job/{id}`, at most MAX_CANDIDATES) and judged
 * by `judgeUploadJobs`.
 */
export function uploadJobLook(
	read: Reader,
	datasetId: string,
	evidence: Omit<UploadEvidence, 'firstSentAtMs'>,
): Look {
	return {
		async after(firstSentAtMs) {
			const list = await read(
				'POST',
				'jobs/',
				jobListBody(uploadJobsFilter(datasetId, firstSentAtMs)),
			);
			const candidates = uploadJobCandidates(list, datasetId, firstSentAtMs);
			if (!candidates) return { state: 'unknown', finding: 'the job list could not be read' };
			if (candidates.length > MAX_CANDIDATES) {
				return {
					state: 'unknown',
					finding: `${candidates.length} append jobs in dataset ${datasetId} since the request was sent`,
				};
			}
			const read1 = async (job: CandidateJob) => {
				try {
					return await read('GET', `job/${encodePathSegment(job.job_id)}`);
				} catch (error) {
					if (isAbortError(error)) throw makeAbortError();
					return error instanceof Error ? error : new Error(String(error));
				}
			};
			const withStatus: Array<{ job: CandidateJob; status: unknown }> = [];
			for (const job of candidates) withStatus.push({ job, status: await read1(job) });
			return judgeUploadJobs(withStatus, { ...evidence, firstSentAtMs });
		},
	};
}
