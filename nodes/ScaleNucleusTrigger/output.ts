/**
 * What the trigger emits (pure), built once from the poll's events: one item per event, or with
 * "One Summary per Dataset" one summary per dataset of the finished jobs (so that a run of ~100
 * upload jobs starts ONE branch of the workflow instead of 100) followed by the progress items. The
 * summary is only an output shape: the cursor still records every job on its own (decide.ts), so a
 * job is still reported once per final status.
 */
import type { IDataObject } from 'n8n-workflow';

import type { JobObservation } from '../shared/jobs/observation';
import { isSuccessStatus, type JobStatusView } from '../shared/jobs/status';

/** What the poll fetched about one job beyond the listing. */
export interface JobDetails {
	/** `GET job/{id}`. */
	view?: JobStatusView;
	/** `GET job/{id}/errors`: the first Max Errors per Job texts, and how many there are. */
	errors?: string[];
	errorCount?: number;
}

/** One thing to report: a job that reached a final status, or (Emit Progress) one still running. */
export interface OutputEvent {
	job: JobObservation;
	final: boolean;
	details?: JobDetails;
}

/** Values of the `output` option (stored in workflows: never rename). */
export type OutputShape = 'job' | 'datasetSummary';

export const OUTPUT_SHAPES: readonly OutputShape[] = ['job', 'datasetSummary'];

/** What a summary needs of one finished job. */
export interface FinishedJob {
	job_id: string;
	dataset_id: string | null;
	status: string;
	/** The job's error texts as fetched (at most Max Errors per Job). */
	errors: string[];
	/** The job's total error count; null when errors were not fetched (Max Errors per Job = 0). */
	error_count: number | null;
}

/**
 * One summary per dataset, in the order the datasets first appear in `jobs` (the poll gives jobs
 * oldest first). `errors` are the jobs' errors one job after another, at most `maxErrorsPerJob` ×
 * jobs; `errors_truncated` is true when the jobs have more errors than are listed.
 */
export function summarizeByDataset(jobs: FinishedJob[], maxErrorsPerJob: number): IDataObject[] {
	const groups = new Map<string | null, FinishedJob[]>();
	for (const job of jobs) {
		const group = groups.get(job.dataset_id);
		if (group) group.push(job);
		else groups.set(job.dataset_id, [job]);
	}
	const out: IDataObject[] = [];
	for (const [datasetId, group] of groups) {
		const statuses: Record<string, number> = {};
		let errorCount: number | null = null;
		const cap = Math.max(0, maxErrorsPerJob) * group.length;
		const errors: string[] = [];
		for (const job of group) {
			statuses[job.status] = (statuses[job.status] ?? 0) + 1;
			if (job.error_count !== null) errorCount = (errorCount ?? 0) + job.error_count;
			for (const text of job.errors) if (errors.length < cap) errors.push(text);
		}
		out.push({
			dataset_id: datasetId,
			jobs: group.length,
			job_ids: group.map((j) => j.job_id),
			statuses,
			succeeded: group.every((j) => isSuccessStatus(j.status)),
			error_count: errorCount,
			errors,
			errors_truncated: errorCount !== null && errorCount > errors.length,
		});
	}
	return out;
}

/** The errors of an event: texts as fetched; the count is null when errors were not fetched (Max Errors per Job = 0). */
function errorsOf(details: JobDetails | undefined) {
	const fetched = details?.errors !== undefined;
	const errors = details?.errors ?? [];
	const count = fetched ? (details?.errorCount ?? 0) : null;
	return { errors, error_count: count, errors_truncated: count !== null && count > errors.length };
}

/** The item of one event (One Item per Job). */
export function jobItem({ job, final, details }: OutputEvent): IDataObject {
	const view = details?.view;
	const { errors, error_count, errors_truncated } = errorsOf(details);
	return {
		job_id: job.job_id,
		dataset_id: job.dataset_id,
		job_type: job.job_type,
		status: job.status,
		succeeded: isSuccessStatus(job.status),
		final,
		progress: view?.progress ?? job.progress ?? null,
		completed_steps: view?.completed_steps ?? null,
		total_steps: view?.total_steps ?? null,
		message: (view?.message ?? null) as IDataObject | null,
		created_at: job.created_at,
		errors,
		error_count,
		errors_truncated,
	};
}

/**
 * The items of a poll: one per event, or with "One Summary per Dataset" one summary per dataset of
 * the finished jobs (in the order of their oldest job) followed by the progress items, one per job.
 */
export function outputItems(
	config: { output: OutputShape; maxErrors: number },
	events: readonly OutputEvent[],
): IDataObject[] {
	if (config.output !== 'datasetSummary') return events.map(jobItem);
	const finished: FinishedJob[] = events
		.filter((event) => event.final)
		.map(({ job, details }) => {
			const { errors, error_count } = errorsOf(details);
			return {
				job_id: job.job_id,
				dataset_id: job.dataset_id,
				status: job.status,
				errors,
				error_count,
			};
		});
	const progress = events.filter((event) => !event.final).map(jobItem);
	return [...summarizeByDataset(finished, config.maxErrors), ...progress];
}
