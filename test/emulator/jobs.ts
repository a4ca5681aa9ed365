/**
 * Async job pipeline of the emulator, modelled on the job messages Nucleus has shown (the Python SDK's
 * `AsyncJob.status` docstring and the expectations of its `tests/test_dataset.py` before PR #291; the
 * stage names are public, their sizes are not: ASSUMPTION):
 *   Queued --(queue delay)--> Running
 *   stage 1 "ingest_to_reupload_queue": the upload is read into a queue (progress in
 *           message.ingest_to_reupload_queue.processed). Sources: the presigned NDJSON, read line by
 *           line (a malformed line ends the job Errored_User before any item is applied); or the entries
 *           of one multipart / legacy append request (each with its own `update` and uploaded image
 *           info); or items given by the control API.
 *   stage 2 "image_upload_step": the queue is processed in batches of IMAGE_BATCH_SIZE (3000) at the
 *           profile's rate; after each batch the counts, completed_steps and job_progress are updated.
 *           Each failed item adds `Failure when processing the image "<image_url>": <reason>` (PR #67's test).
 *           With an s3Endpoint, a batch's remote images are read before it is applied (remoteImages.ts).
 *   final:  Completed (no item failed) | the partialFailureStatus (some failed; default Errored_Partial,
 *           or Errored, see rules.ts PartialFailureStatus) | Errored_User (all failed, empty upload,
 *           bad NDJSON, dataset gone).
 * total_steps = 1 + number of image batches; job_progress = completed_steps / total_steps ("0.33").
 * One job per append request (the SDK's `upload_local_async`); the AsyncJob answer is `infoBody` with status Queued.
 *
 * A metadata update job (POST dataset/{id}/metadata?async=1, rules.ts METADATA UPDATES) runs the same
 * stages over its entries: stage 2 merges each entry's metadata instead of storing an item, a failure
 * adds `metadataErrorText`, and its status message reports `metadata_update_step` (ASSUMPTION: the
 * message of a real metadataUpdate job is not public; the SDK's `AsyncJob.status` types it as free-form).
 *
 * Over ~350 lines because it is one state machine, JobManager, whose stages share the job record,
 * the pacing and the final-status decision; cutting it by stage would pass that state between files.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { Store } from './store';
import {
	DEFAULT_PARTIAL_FAILURE_STATUS,
	IMAGE_BATCH_SIZE,
	MAX_JOB_ERRORS,
	isPlainObject,
	jobErrorText,
	metadataErrorText,
	type AppendForm,
	type ItemLike,
	type LocalImageInfo,
	type PartialFailureStatus,
} from './rules';
import type { RemoteImageReader } from './remoteImages';
import { newId, Pacer, readLines, Waker } from './util';

export const FINAL_STATUSES = new Set([
	'Completed',
	'Cancelled',
	'Errored',
	'Errored_Server',
	'Errored_User',
	'Errored_Partial',
	'Errored_Hanging',
]);

export interface JobHistoryEntry {
	at: string;
	status: string;
	completed_steps: number;
	total_steps: number;
	completed: number;
	errored: number;
}

/** A job as the emulator records it (a snapshot is returned by `getJob`). */
export interface JobRecord {
	job_id: string;
	job_type: string;
	dataset_id: string | null;
	status: string;
	job_creation_time: string;
	update: boolean;
	requestId?: string;
	/** The append wire form that created the job (absent for control-created jobs). */
	appendForm?: AppendForm;
	/** Items in the upload (known after stage 1 for NDJSON; up front for control-created jobs). */
	total: number;
	/** Lines read in stage 1. */
	ingested: number;
	/** Items stored (new, updated or ignored) in stage 2. */
	completed: number;
	errored: number;
	newItems: number;
	updatedItems: number;
	ignoredItems: number;
	completed_steps: number;
	total_steps: number;
	job_progress: string;
	final_error?: string;
	/** Every error ever recorded (the API returns only the last MAX_JOB_ERRORS). */
	errorCount: number;
	errors: string[];
	history: JobHistoryEntry[];
	finishedAt?: string;
}

/** One item of a multipart / legacy append request, as the job processes it. */
export interface JobEntry {
	item: ItemLike;
	/** This item's own update flag (multipartBatch items carry one); default: the job's `update`. */
	update?: boolean;
	/** The uploaded image part; `null` = legacyItems item with no matching part; absent = remote item. */
	image?: LocalImageInfo | null;
}

export interface JobSource {
	/** NDJSON file to ingest (the emulator deletes it after stage 1). */
	file?: string;
	/** Items given directly (control API). */
	items?: unknown[];
	/** The items of one append request (multipartBatch, or a pre-2026 form in syncAppend 'job' mode). */
	entries?: JobEntry[];
	/** The entries of one asynchronous metadata update, already checked by the route: merged, not stored. */
	metadata?: MetadataEntry[];
}

/** One entry of a metadata update: the keys to merge into the item with this reference ID. */
export interface MetadataEntry {
	reference_id: string;
	metadata: Record<string, unknown>;
}

interface JobState {
	rec: JobRecord;
	source: JobSource;
	waker: Waker;
	held: boolean;
	fastForward: boolean;
	stopped: boolean;
	release?: () => void;
	done: Promise<void>;
	resolveDone: () => void;
}

export interface JobRates {
	queueDelayMs(): number;
	ingestPerSec(): number;
	imagesPerSec(): number;
	/** Final status when some but not all items failed (read when the job ends). */
	partialFailureStatus?(): PartialFailureStatus;
}

interface QueuedItem {
	item: ItemLike;
	dup: boolean;
	update?: boolean;
	image?: LocalImageInfo | null;
}

function fmtProgress(done: number, total: number): string {
	if (total <= 0) return '0.00';
	return (Math.floor((done / total) * 100) / 100).toFixed(2);
}

export class JobManager {
	private readonly jobs = new Map<string, JobState>();

	constructor(
		private readonly store: Store,
		private readonly rates: JobRates,
		private readonly signal: AbortSignal,
		/** Reads remote images while a job runs (EmulatorOptions.s3Endpoint); none: no URL is read. */
		private readonly remoteImages?: RemoteImageReader,
	) {}

	create(opts: {
		datasetId: string | null;
		update: boolean;
		source: JobSource;
		jobType?: string;
		requestId?: string;
		appendForm?: AppendForm;
		hold?: boolean;
		createdAt?: Date;
		/** Create the job directly in this state; no pipeline runs. */
		status?: string;
		total?: number;
	}): JobRecord {
		const total =
			opts.total ??
			opts.source.entries?.length ??
			opts.source.metadata?.length ??
			(opts.source.items ? opts.source.items.length : 0);
		const rec: JobRecord = {
			job_id: newId('job'),
			job_type: opts.jobType ?? 'uploadDatasetItems',
			dataset_id: opts.datasetId,
			status: 'Queued',
			job_creation_time: (opts.createdAt ?? new Date()).toISOString(),
			update: opts.update,
			total,
			ingested: 0,
			completed: 0,
			errored: 0,
			newItems: 0,
			updatedItems: 0,
			ignoredItems: 0,
			completed_steps: 0,
			total_steps: 1 + Math.max(1, Math.ceil(total / IMAGE_BATCH_SIZE)),
			job_progress: '0.00',
			errorCount: 0,
			errors: [],
			history: [],
		};
		if (opts.requestId) rec.requestId = opts.requestId;
		if (opts.appendForm) rec.appendForm = opts.appendForm;
		let resolveDone!: () => void;
		const done = new Promise<void>((r) => (resolveDone = r));
		const st: JobState = {
			rec,
			source: opts.source,
			waker: new Waker(),
			held: opts.hold === true,
			fastForward: false,
			stopped: false,
			done,
			resolveDone,
		};
		this.jobs.set(rec.job_id, st);
		this.snap(st);
		if (opts.status && opts.status !== 'Queued') {
			this.forceStatus(rec.job_id, opts.status);
		} else if (opts.status === 'Queued') {
			st.held = true;
			void this.run(st);
		} else {
			void this.run(st);
		}
		return rec;
	}

	get(id: string): JobRecord | undefined {
		return this.jobs.get(id)?.rec;
	}

	list(): JobRecord[] {
		return [...this.jobs.values()].map((s) => s.rec);
	}

	/** Release a held (Queued) job. */
	start(id: string): boolean {
		const st = this.jobs.get(id);
		if (!st) return false;
		st.held = false;
		st.release?.();
		return true;
	}

	/** Run the rest of the job without pacing; resolves when it is final. */
	async finish(id: string): Promise<JobRecord | undefined> {
		const st = this.jobs.get(id);
		if (!st) return undefined;
		st.fastForward = true;
		st.held = false;
		st.release?.();
		st.waker.wakeAll();
		await st.done;
		return st.rec;
	}

	/** Force a status (e.g. Cancelled, Errored_Server, Running); a final status stops the pipeline. */
	forceStatus(id: string, status: string, finalError?: string): JobRecord | undefined {
		const st = this.jobs.get(id);
		if (!st) return undefined;
		st.rec.status = status;
		if (finalError !== undefined) st.rec.final_error = finalError;
		if (FINAL_STATUSES.has(status)) {
			if (status === 'Completed') st.rec.completed_steps = st.rec.total_steps;
			st.stopped = true;
			st.held = false;
			st.release?.();
			st.waker.wakeAll();
			st.rec.finishedAt = new Date().toISOString();
			st.resolveDone();
		}
		this.snap(st);
		return st.rec;
	}

	async waitFor(id: string): Promise<JobRecord | undefined> {
		const st = this.jobs.get(id);
		if (!st) return undefined;
		await st.done;
		return st.rec;
	}

	/** `GET job/{id}` body. */
	statusBody(rec: JobRecord): Record<string, unknown> {
		const counts = {
			errored: rec.errored,
			pending: Math.max(0, rec.total - rec.completed - rec.errored),
			completed: rec.completed,
		};
		if (this.jobs.get(rec.job_id)?.source.metadata) {
			const message: Record<string, unknown> = { metadata_update_step: counts };
			if (rec.final_error) message.final_error = rec.final_error;
			return {
				job_id: rec.job_id,
				status: rec.status,
				message,
				job_progress: rec.job_progress,
				completed_steps: rec.completed_steps,
				total_steps: rec.total_steps,
			};
		}
		const message: Record<string, unknown> = {
			ingest_to_reupload_queue: {
				epoch: 1,
				total: rec.total,
				processed: rec.ingested,
				datasetId: rec.dataset_id,
			},
			image_upload_step: counts,
		};
		if (rec.completed_steps >= 1) {
			message.started_image_processing = `Dataset: ${rec.dataset_id}, Job: ${rec.job_id}`;
		}
		if (rec.final_error) message.final_error = rec.final_error;
		return {
			job_id: rec.job_id,
			status: rec.status,
			message,
			job_progress: rec.job_progress,
			completed_steps: rec.completed_steps,
			total_steps: rec.total_steps,
		};
	}

	/** Shared shape of `append?async=1`, `job/{id}/info` and `POST jobs/` entries. */
	infoBody(rec: JobRecord): Record<string, unknown> {
		return {
			job_id: rec.job_id,
			job_last_known_status: rec.status,
			job_type: rec.job_type,
			job_creation_time: rec.job_creation_time,
			dataset_id: rec.dataset_id,
		};
	}

	errorsBody(rec: JobRecord): string[] {
		return rec.errors.length > MAX_JOB_ERRORS ? rec.errors.slice(-MAX_JOB_ERRORS) : rec.errors;
	}

	stopAll(): void {
		for (const st of this.jobs.values()) {
			st.stopped = true;
			st.release?.();
			st.waker.wakeAll();
		}
	}

	private snap(st: JobState): void {
		const r = st.rec;
		r.job_progress = fmtProgress(r.completed_steps, r.total_steps);
		const last = r.history[r.history.length - 1];
		if (
			last &&
			last.status === r.status &&
			last.completed_steps === r.completed_steps &&
			last.completed === r.completed &&
			last.errored === r.errored
		) {
			return;
		}
		r.history.push({
			at: new Date().toISOString(),
			status: r.status,
			completed_steps: r.completed_steps,
			total_steps: r.total_steps,
			completed: r.completed,
			errored: r.errored,
		});
		if (r.history.length > 1000) r.history.splice(1, r.history.length - 1000);
	}

	private addError(rec: JobRecord, text: string): void {
		rec.errorCount++;
		rec.errors.push(text);
		if (rec.errors.length > 2 * MAX_JOB_ERRORS)
			rec.errors.splice(0, rec.errors.length - MAX_JOB_ERRORS);
	}

	private sleep(st: JobState, ms: number): Promise<void> {
		if (st.fastForward || st.stopped) return Promise.resolve();
		return st.waker.sleep(ms, this.signal);
	}

	private end(st: JobState, status: string, finalError?: string): void {
		if (st.stopped) return;
		st.rec.status = status;
		if (finalError) st.rec.final_error = finalError;
		st.rec.finishedAt = new Date().toISOString();
		st.stopped = true;
		this.snap(st);
		st.resolveDone();
	}

	private async run(st: JobState): Promise<void> {
		const rec = st.rec;
		let file = st.source.file;
		try {
			await this.sleep(st, this.rates.queueDelayMs());
			while (st.held && !st.stopped) {
				await new Promise<void>((resolve) => {
					st.release = resolve;
					this.signal.addEventListener('abort', () => resolve(), { once: true });
				});
				st.release = undefined;
				if (this.signal.aborted) return;
			}
			if (st.stopped) return;
			rec.status = 'Running';
			this.snap(st);

			// Stage 1: ingest into the re-upload queue.
			const queue: QueuedItem[] = [];
			const seen = new Set<string>();
			const ingestPacer = new Pacer(
				() => this.rates.ingestPerSec(),
				(ms) => this.sleep(st, ms),
				() => st.fastForward,
			);
			const push = (item: ItemLike, entry?: JobEntry): void => {
				const ref = item.reference_id;
				let dup = false;
				if (typeof ref === 'string' && ref !== '') {
					dup = seen.has(ref);
					seen.add(ref);
				}
				const q: QueuedItem = { item, dup };
				if (entry?.update !== undefined) q.update = entry.update;
				if (entry?.image !== undefined) q.image = entry.image;
				queue.push(q);
				rec.ingested++;
			};
			if (file) {
				let lineNo = 0;
				let pending = 0;
				const stream = createReadStream(file, { highWaterMark: 256 * 1024 });
				try {
					for await (const line of readLines(stream)) {
						lineNo++;
						if (line.trim() === '') continue;
						let parsed: unknown;
						try {
							parsed = JSON.parse(line);
						} catch {
							this.end(st, 'Errored_User', `Invalid NDJSON: line ${lineNo} is not valid JSON`);
							return;
						}
						if (!isPlainObject(parsed)) {
							this.end(st, 'Errored_User', `Invalid NDJSON: line ${lineNo} is not a JSON object`);
							return;
						}
						push(parsed as ItemLike);
						if (++pending >= 500) {
							await ingestPacer.advance(pending);
							pending = 0;
							if (st.stopped) return;
						}
					}
				} finally {
					stream.destroy();
				}
				await ingestPacer.advance(pending);
				await fsp.rm(file, { force: true });
				file = undefined;
				rec.total = queue.length;
				rec.total_steps = 1 + Math.max(1, Math.ceil(rec.total / IMAGE_BATCH_SIZE));
				if (queue.length === 0) {
					rec.completed_steps = 1;
					this.end(st, 'Errored_User', 'The uploaded file contains no items');
					return;
				}
			} else if (st.source.entries) {
				for (const e of st.source.entries) push(e.item, e);
				await ingestPacer.advance(queue.length);
			} else if (st.source.metadata) {
				for (const e of st.source.metadata) push({ ...e });
				await ingestPacer.advance(queue.length);
			} else {
				for (const it of st.source.items ?? []) {
					push(
						isPlainObject(it)
							? (it as ItemLike)
							: ({ reference_id: undefined, __invalid: true } as ItemLike),
					);
				}
				await ingestPacer.advance(queue.length);
			}
			if (st.stopped) return;
			rec.completed_steps = 1;
			this.snap(st);

			// Stage 2: images in batches.
			const ds = rec.dataset_id ? this.store.get(rec.dataset_id) : undefined;
			const merging = st.source.metadata !== undefined;
			const failureText = (item: ItemLike, reason: string): string =>
				merging
					? metadataErrorText(String(item.reference_id), reason)
					: jobErrorText(item.image_url, reason);
			if (queue.length > 0 && !ds) {
				for (const q of queue) this.addError(rec, failureText(q.item, 'dataset not found'));
				rec.errored = queue.length;
				this.end(st, 'Errored_User', `Dataset ${rec.dataset_id} not found`);
				return;
			}
			const imagePacer = new Pacer(
				() => this.rates.imagesPerSec(),
				(ms) => this.sleep(st, ms),
				() => st.fastForward,
			);
			for (let i = 0; i < queue.length; i += IMAGE_BATCH_SIZE) {
				const batch = queue.slice(i, i + IMAGE_BATCH_SIZE);
				await imagePacer.advance(batch.length);
				if (st.stopped) return;
				// Nucleus fetches remote images server-side, as the job processes them (the SDK's
				// `test_dataset_append_async_with_1_bad_url`):
				// read this batch's images now, while the job is Running.
				const fetched =
					this.remoteImages && !merging && !ds!.use_privacy_mode
						? await this.remoteImages.readAll(
								batch.map((q) => (q.image === undefined && !q.dup ? q.item.image_url : undefined)),
								this.signal,
							)
						: undefined;
				if (st.stopped) return;
				for (const [k, { item, dup, update, image }] of batch.entries()) {
					let error: string | undefined;
					if ((item as { __invalid?: boolean }).__invalid) error = 'item must be a JSON object';
					else if (merging) {
						const entry = item as unknown as MetadataEntry;
						error = this.store.mergeMetadata(ds!, entry.reference_id, entry.metadata);
						if (!error) rec.updatedItems++;
					} else if (dup) error = 'duplicate reference_id in this upload';
					else {
						const r = this.store.apply(ds!, item, update ?? rec.update, image, fetched?.get(k));
						if (r.outcome === 'failed') error = r.error;
						else if (r.outcome === 'new') rec.newItems++;
						else if (r.outcome === 'updated') rec.updatedItems++;
						else rec.ignoredItems++;
					}
					if (error) {
						rec.errored++;
						this.addError(rec, failureText(item, error));
					} else {
						rec.completed++;
					}
				}
				for (let j = i; j < i + batch.length; j++) (queue as unknown[])[j] = undefined;
				rec.completed_steps++;
				this.snap(st);
			}
			rec.completed_steps = rec.total_steps;
			if (rec.errored === 0) this.end(st, 'Completed');
			else if (rec.completed === 0) {
				// ASSUMPTION: status and text for "every item failed" are not public.
				this.end(
					st,
					'Errored_User',
					merging
						? 'None of the metadata updates could be applied. See the job errors for details.'
						: 'None of the images you attempted to upload processed correctly. See the job errors for details.',
				);
			} else {
				// final_error text: the public sample in the SDK's tests before PR #291; status: see rules.ts PartialFailureStatus.
				this.end(
					st,
					this.rates.partialFailureStatus?.() ?? DEFAULT_PARTIAL_FAILURE_STATUS,
					merging
						? 'One or more of the metadata updates could not be applied. Please see the errors for details.'
						: 'One or more of the images you attempted to upload did not process correctly. Please see the status for an overview and the errors for more details.',
				);
			}
		} catch (e) {
			if (!this.signal.aborted && !st.stopped) {
				this.end(st, 'Errored_Server', `Internal error: ${(e as Error).message}`);
			}
		} finally {
			if (file) await fsp.rm(file, { force: true }).catch(() => undefined);
			st.resolveDone();
		}
	}
}
