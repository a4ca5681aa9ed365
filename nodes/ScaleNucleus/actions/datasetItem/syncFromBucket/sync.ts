/**
 * One sync of a bucket prefix into a dataset, as data flows through it:
 *   read the dataset (datasetState.ts) → compact index
 *   list the bucket page by page (shared/bucket) → filters, reference ID (objectToItem.ts)
 *   → diff against the index (datasetIndex.ts) → chunks (chunks.ts) → one job each (upload.ts)
 *   → wait → failed objects from the jobs' errors (jobErrors.ts) → retry cap (failures.ts)
 *   → items (output.ts)
 * Memory: the index and one chunk; never the listing.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { getErrorsOfJobs } from '../../../../shared/api/jobs';
import { asNodeError } from '../../../../shared/errors';
import { fetchListPage, walkBucket, type BucketCredentials } from '../../../../shared/bucket';
import { jobFailure, waitForJobs } from '../../../../shared/jobs/wait';
import type { NucleusClient } from '../../../../shared/transport';
import { errorItem } from '../../errorItem';
import { ChunkBuilder, type Chunk } from './chunks';
import { readDatasetIndex } from './datasetState';
import { isGivenUp, nextFailureCounts, readFailureCounts, type FailureCounts } from './failures';
import { failedObjectsOf } from './jobErrors';
import {
	failedObjectItem,
	jobItem,
	moreFailuresItem,
	newTally,
	summaryItem,
	type SentJob,
} from './output';
import { datasetItemOf, imageUrlOf, isTaken, referenceIdOf } from './objectToItem';
import type { SyncParams } from './params';
import { SyncProgress } from './progress';
import { uploadChunk } from './upload';

const seconds = (since: number): number => Math.round((Date.now() - since) / 100) / 10;

/** Where the retry counts of one dataset + bucket prefix live in the node's static data. */
function failureKey(p: SyncParams): string {
	return `failures:${p.datasetId}:${p.rules.bucket}/${p.rules.prefix}`;
}

export async function syncObjects(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	creds: BucketCredentials,
	p: SyncParams,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const node = ctx.getNode();
	const signal = ctx.getExecutionCancelSignal();
	const { rules } = p;
	const progress = new SyncProgress(ctx.logger, `${rules.bucket}/${rules.prefix} → ${p.datasetId}`);
	const tally = newTally();
	const started = Date.now();

	const index = await readDatasetIndex(client, p.datasetId, imageUrlOf(rules.prefix, rules), {
		signal,
		itemIndex,
		onPage: (n) => progress.readingDataset(n),
	});
	const staticData = ctx.getWorkflowStaticData('node') as IDataObject;
	// Items the dataset holds now need no retry count any more.
	let counts: FailureCounts = nextFailureCounts(
		readFailureCounts(staticData[failureKey(p)]),
		[],
		(ref) => index.has(ref),
	);

	const sent: SentJob[] = [];
	const send = async (chunk: Chunk): Promise<void> => {
		let job;
		try {
			job = await uploadChunk(client, p.datasetId, chunk, p.updateChanged, itemIndex);
		} catch (error) {
			const e = asNodeError(node, error, itemIndex);
			e.description = `${e.description ? `${e.description} ` : ''}${sent.length} jobs had been created in this run (their objects are in the dataset once they finish); the next run sends only what the dataset lacks.`;
			throw e;
		}
		sent.push({
			job,
			objects: chunk.lines.length,
			newObjects: chunk.newObjects,
			changedObjects: chunk.changedObjects,
			firstKey: chunk.firstKey,
			lastKey: chunk.lastKey,
		});
	};

	const builder = new ChunkBuilder(p.objectsPerJob);
	const fetchPage = async (params: Parameters<typeof fetchListPage>[3], s?: AbortSignal) =>
		await fetchListPage(node, creds, rules.bucket, params, { signal: s });
	tally.datasetReadSeconds = seconds(started);
	const listingStarted = Date.now();
	await walkBucket(
		fetchPage,
		{ prefix: rules.prefix, maxPages: p.maxPages, concurrency: p.listingConcurrency, signal },
		async (page) => {
			for (const object of page.objects) {
				tally.listed++;
				if (!isTaken(object, rules)) {
					tally.filteredOut++;
					continue;
				}
				const ref = referenceIdOf(object.key, rules);
				const decision = index.decide(ref, object.etag, p.updateChanged);
				if (decision === 'present') tally.alreadyInDataset++;
				else if (decision === 'duplicate') tally.duplicateReferenceIds++;
				else if (isGivenUp(counts, ref, p.maxObjectAttempts)) tally.givenUp++;
				else {
					if (decision === 'changed') tally.changedObjects++;
					else tally.newObjects++;
					const full = builder.add(
						datasetItemOf(object, ref, rules),
						object.key,
						decision === 'changed',
					);
					if (full) await send(full);
				}
			}
			progress.listing(tally, sent.length);
		},
	);
	const last = builder.flush();
	if (last) await send(last);
	tally.goneFromBucket = index.goneCount();
	tally.listingSeconds = seconds(listingStarted);
	const waitStarted = Date.now();

	const out: INodeExecutionData[] = [];
	if (!p.wait) {
		for (const s of sent) out.push(jobItem(s, p.datasetId, p.updateChanged, itemIndex));
	} else if (sent.length) {
		out.push(
			...(await waitAndReport(ctx, client, p, sent, itemIndex, progress, (failedRefs, failed) => {
				tally.failedObjects = failed;
				counts = nextFailureCounts(
					counts,
					failedRefs,
					() => false,
					(ref) => index.seen(ref),
				);
			})),
		);
	}
	if (!p.wait || !sent.length) {
		counts = nextFailureCounts(
			counts,
			[],
			() => false,
			(ref) => index.seen(ref),
		);
	}
	staticData[failureKey(p)] = counts;
	tally.waitSeconds = seconds(waitStarted);
	progress.finish(tally, sent.length);
	out.push(
		summaryItem(
			tally,
			{ datasetId: p.datasetId, bucket: rules.bucket, prefix: rules.prefix },
			sent.length,
			itemIndex,
		),
	);
	return out;
}

async function waitAndReport(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	p: SyncParams,
	sent: SentJob[],
	itemIndex: number,
	progress: SyncProgress,
	record: (failedRefs: string[], failedObjects: number) => void,
): Promise<INodeExecutionData[]> {
	const node = ctx.getNode();
	const signal = ctx.getExecutionCancelSignal();
	const ids = sent.map((s) => s.job.job_id);
	const waited = await waitForJobs(client, ids, {
		intervalMs: p.pollIntervalMs,
		timeoutMs: p.timeoutMs,
		signal,
		itemIndex,
		onRound: (done, total) => progress.waiting(done, total),
	});
	const finished = ids.filter((id) => waited.get(id)?.state === 'final');
	const jobErrors = await getErrorsOfJobs(client, finished, { concurrency: 8, signal });
	const urlPrefix = imageUrlOf('', p.rules);
	const jobItems: INodeExecutionData[] = [];
	const errorItems: INodeExecutionData[] = [];
	const failedRefs: string[] = [];
	let failedObjects = 0;
	let shownObjects = 0;
	for (const s of sent) {
		const jobId = s.job.job_id;
		const outcome = waited.get(jobId)!;
		const errors = jobErrors.get(jobId);
		const failure = jobFailure(node, jobId, outcome, errors, {
			timeoutMs: p.timeoutMs,
			errorsRequired: true,
			itemIndex,
			hints: {
				unread: (id) =>
					`The job's objects may already be in the dataset; the next run sends only what it lacks. Follow it with Job → Wait for Completion and Job ID ${id}.`,
				errorsUnread: (id) =>
					`Read the errors later with Job → Get Errors and Job ID ${id}; the next run offers the failed objects again.`,
			},
		});
		if (failure || outcome.state !== 'final' || !Array.isArray(errors)) {
			errorItems.push(
				errorItem(
					node,
					failure ?? new NodeOperationError(node, `Job ${jobId} gave no result`),
					itemIndex,
					{ job_id: jobId },
				),
			);
			jobItems.push(jobItem(s, p.datasetId, p.updateChanged, itemIndex));
			continue;
		}
		const { byKey, unmatched } = failedObjectsOf(errors, urlPrefix);
		for (const [key, text] of byKey) {
			const referenceId = referenceIdOf(key, p.rules);
			failedRefs.push(referenceId);
			failedObjects++;
			if (errorItems.length < p.maxErrorItems) {
				shownObjects++;
				errorItems.push(failedObjectItem(node, { key, referenceId, jobId, text }, itemIndex));
			}
		}
		// Errors naming no object of the bucket (a job-level failure) are reported as they are.
		for (const text of unmatched.slice(0, 5)) {
			if (errorItems.length < p.maxErrorItems) {
				errorItems.push(
					errorItem(node, new NodeOperationError(node, `Job ${jobId}: ${text}`), itemIndex, {
						job_id: jobId,
					}),
				);
			}
		}
		jobItems.push(
			jobItem(s, p.datasetId, p.updateChanged, itemIndex, {
				status: outcome.status.status,
				failedObjects: byKey.size,
			}),
		);
	}
	record(failedRefs, failedObjects);
	if (failedObjects > shownObjects) {
		errorItems.push(moreFailuresItem(node, failedObjects - shownObjects, itemIndex));
	}
	return [...jobItems, ...errorItems];
}
