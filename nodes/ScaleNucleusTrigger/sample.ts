/**
 * Manual mode ("Fetch test event"): the newest matching job, read-only. Nothing is stored, so the
 * cursor of the active trigger is not moved by a test.
 */
import { NodeOperationError, type INodeExecutionData, type IPollFunctions } from 'n8n-workflow';

import { DAY_MS, dayString, sortByCreation } from '../shared/jobs/list';
import { applyStatus, observeInfo, type JobObservation } from '../shared/jobs/observation';
import { getJobInfo, getJobStatus } from '../shared/api/jobs';
import { runPool } from '../shared/pool';
import type { NucleusClient } from '../shared/transport';
import {
	completeInfo,
	DETAIL_CONCURRENCY,
	getErrors,
	listObservedJobs,
	unless404,
	warnUnknown,
} from './api';
import { emitCategory } from './decide';
import { outputItems, type JobDetails } from './output';
import type { TriggerConfig } from './parameters';

/** Manual "Fetch test event" looks this far back at least. */
const SAMPLE_DAYS = 30;

/**
 * The job a test event shows (pure): the newest finished job whose status is chosen in Trigger On;
 * with Emit Progress and no such job, the newest running one.
 */
export function chooseSample(
	candidates: readonly JobObservation[],
	settings: Pick<TriggerConfig, 'emitOn' | 'emitProgress'>,
): JobObservation | undefined {
	const newest = (jobs: JobObservation[]) =>
		sortByCreation(jobs, (job) => [job.job_id, job.created_at], 'newestFirst')[0];
	const finished = newest(
		candidates.filter((job) => {
			const category = emitCategory(job.status);
			return category !== undefined && settings.emitOn.includes(category);
		}),
	);
	if (finished || !settings.emitProgress) return finished;
	return newest(candidates.filter((job) => !emitCategory(job.status)));
}

export async function fetchSample(
	ctx: IPollFunctions,
	client: NucleusClient,
	config: TriggerConfig,
): Promise<INodeExecutionData[][]> {
	const days = Math.max(config.lookbackDays, SAMPLE_DAYS);
	let candidates: JobObservation[];
	const unknown: string[] = [];
	if (config.watch === 'jobIds') {
		candidates = [];
		await runPool(config.jobIds.length, DETAIL_CONCURRENCY, async (i) => {
			const id = config.jobIds[i];
			const info = await unless404(getJobInfo(client, id));
			if (info) candidates.push(observeInfo(id, info));
			else unknown.push(id);
		});
		warnUnknown(ctx, config.jobIds, unknown);
	} else {
		candidates = await listObservedJobs(ctx, client, config, dayString(Date.now() - days * DAY_MS));
	}
	const sample = chooseSample(candidates, config);
	if (!sample) {
		const where =
			config.watch === 'jobIds'
				? `among the given job IDs${unknown.length ? ` (${unknown.length} of them not known to Nucleus: ${unknown.slice(0, 5).join(', ')})` : ''}`
				: `in the last ${days} days${config.datasetId ? ` of dataset ${config.datasetId}` : ''}`;
		throw new NodeOperationError(ctx.getNode(), `No finished job found ${where}`, {
			description:
				'Fetch Test Event shows the newest job that matches Watch, Job Types and Trigger On. Start a job (for example an Append) and fetch again, or widen the filters.',
		});
	}
	const view = await getJobStatus(client, sample.job_id);
	const job: JobObservation = { ...sample };
	applyStatus(job, view);
	await completeInfo(client, job);
	const details: JobDetails = { view };
	const final = emitCategory(job.status) !== undefined;
	if (final && config.maxErrors > 0)
		Object.assign(details, await getErrors(client, job.job_id, config.maxErrors));
	return [ctx.helpers.returnJsonArray(outputItems(config, [{ job, final, details }]))];
}
