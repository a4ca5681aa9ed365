/**
 * A job as one poll sees it (pure): the one place a `JobObservation` is built, from whichever answer
 * told us about the job: an entry of `POST jobs/`, `GET job/{id}/info` or `GET job/{id}`. The
 * trigger's decisions (ScaleNucleusTrigger/decide.ts) and output (ScaleNucleusTrigger/output.ts)
 * read observations; whether a status is final is judged in ./status.ts.
 */
import type { ListedJob } from '../api/jobs';
import type { AsyncJobInfo } from '../api/types';
import { toIso } from './list';
import { isFinalStatus, type JobStatusView } from './status';

/** One job as the listing (or `GET job/{id}`) shows it. `status` is the best known status. */
export interface JobObservation {
	job_id: string;
	status: string;
	/** ISO creation time, or null when unknown. */
	created_at: string | null;
	job_type: string | null;
	dataset_id: string | null;
	/** Progress 0..1 when the job's status was fetched (GET job/{id}). */
	progress?: number | null;
}

/** An entry of the job list; `datasetId` (the dataset listed, if one) stands in when the entry does not say its dataset. */
export function observeListed(job: ListedJob, datasetId: string | null): JobObservation {
	return {
		job_id: job.job_id,
		status: job.status,
		created_at: toIso(job.job_creation_time),
		job_type: job.job_type,
		dataset_id: job.dataset_id ?? datasetId,
	};
}

/** A job known from `GET job/{id}/info` (its last known status). */
export function observeInfo(jobId: string, info: Partial<AsyncJobInfo>): JobObservation {
	return {
		job_id: jobId,
		status: typeof info.job_last_known_status === 'string' ? info.job_last_known_status.trim() : '',
		created_at: toIso(info.job_creation_time),
		job_type: typeof info.job_type === 'string' ? info.job_type : null,
		dataset_id: typeof info.dataset_id === 'string' ? info.dataset_id : null,
	};
}

/** A job known from `GET job/{id}` only; `createdAt` is what an earlier poll recorded, if anything. */
export function observeStatus(
	jobId: string,
	view: JobStatusView,
	createdAt: string | null,
): JobObservation {
	return {
		job_id: jobId,
		status: view.status,
		created_at: createdAt,
		job_type: null,
		dataset_id: null,
		progress: view.progress,
	};
}

/** Takes the status and progress of `GET job/{id}`: it is authoritative over the list. */
export function applyStatus(job: JobObservation, view: JobStatusView): void {
	job.status = view.status;
	job.progress = view.progress;
}

/** Whether the job's type or creation time is unknown (then `GET job/{id}/info` is read for it). */
export function lacksInfo(job: JobObservation): boolean {
	return job.job_type === null || job.created_at === null;
}

/** Fills what the observation does not know (type, creation time, dataset) from `GET job/{id}/info`. */
export function applyInfo(job: JobObservation, info: Partial<AsyncJobInfo>): void {
	if (job.job_type === null && typeof info.job_type === 'string') job.job_type = info.job_type;
	if (job.created_at === null) job.created_at = toIso(info.job_creation_time);
	if (job.dataset_id === null && typeof info.dataset_id === 'string')
		job.dataset_id = info.dataset_id;
}

/**
 * One observation per job of a listing that may name a job more than once (the API's list is not
 * documented to be unique). A final status wins over a non-final one (a job does not leave a final
 * status by itself); otherwise the later entry wins; a creation time, type or dataset one entry lacks
 * is taken from the other. `conflicting`: the jobs listed with different statuses, whose own status
 * (`GET job/{id}`) should decide. Order: first appearance.
 */
export function mergeObservations(entries: readonly JobObservation[]): {
	jobs: JobObservation[];
	conflicting: Set<string>;
} {
	const byId = new Map<string, JobObservation>();
	const conflicting = new Set<string>();
	for (const entry of entries) {
		const kept = byId.get(entry.job_id);
		if (!kept) {
			byId.set(entry.job_id, { ...entry });
			continue;
		}
		if (kept.status !== entry.status) conflicting.add(entry.job_id);
		const later = !isFinalStatus(kept.status) || isFinalStatus(entry.status) ? entry : kept;
		const other = later === entry ? kept : entry;
		byId.set(entry.job_id, {
			...later,
			created_at: later.created_at ?? other.created_at,
			job_type: later.job_type ?? other.job_type,
			dataset_id: later.dataset_id ?? other.dataset_id,
		});
	}
	return { jobs: [...byId.values()], conflicting };
}
