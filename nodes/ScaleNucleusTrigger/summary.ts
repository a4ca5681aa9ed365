/**
 * The trigger's "One Summary per Dataset" output (pure): the finished jobs of one poll, grouped by
 * dataset, so that a run of ~100 upload jobs starts ONE branch of the workflow instead of 100. It is
 * only an output shape: the cursor still records every job on its own (cursor.ts), so a job is still
 * reported once per final status.
 */
import type { IDataObject } from 'n8n-workflow';

import { isSuccessStatus } from '../shared/jobs/status';

/** Values of the `output` option (stored in workflows: never rename). */
export type OutputShape = 'job' | 'datasetSummary';

export const OUTPUT_SHAPES: readonly OutputShape[] = ['job', 'datasetSummary'];

/** What a summary needs of one finished job: the fields of the trigger's per-job item. */
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
