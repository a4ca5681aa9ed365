/**
 * Nucleus-compatible emulator: `import { startEmulator } from '../emulator'`.
 * It models Nucleus's current ingestion protocol (all image ingestion asynchronous since the
 * Python SDK's v0.19.0, July 2026: its release notes and scaleapi/nucleus-python-client PR #468): presigned NDJSON + `append?async=1`, and multipart `items` + up to 10 `image`
 * parts to `append?async=1`, one AsyncJob per request; the pre-2026 synchronous forms are answered
 * by the `syncAppend` option ('job' by default, 'removed' or 'legacy').
 *
 * Files: rules.ts (wire forms, per-item failures, update semantics, limits, profiles, assumptions),
 * jobs.ts (the job pipeline), server.ts (listen + request order), routes/datasets.ts, routes/append.ts
 * (one function per append form), routes/items.ts (metadata updates, iloc), routes/jobs.ts, storage.ts (presigned PUT target), control.ts
 * (test control API), remoteImages.ts (reading s3:// and loopback images, with s3Endpoint), multipart.ts (parser), context.ts (shared state), faults.ts, store.ts, cli.ts.
 */
export { startEmulator, DEFAULT_FAULTS } from './server';
export type {
	Emulator,
	EmulatorConfig,
	EmulatorOptions,
	EmulatorStats,
	Faults,
	JobRecord,
	JobHistoryEntry,
	StoredItem,
} from './server';
export {
	API_PREFIX,
	APPEND_FORMS,
	DEFAULT_API_KEY,
	DEFAULT_PARTIAL_FAILURE_STATUS,
	DEFAULT_SYNC_APPEND,
	IMAGE_BATCH_SIZE,
	MAX_JOB_ERRORS,
	MAX_JOBS_LIMIT,
	MAX_LOCAL_FILES_PER_REQUEST,
	MAX_SYNC_ITEMS,
	MAX_SYNC_METADATA_ITEMS,
	METADATA_JOB_TYPE,
	METADATA_MISSING_ITEM,
	PARTIAL_FAILURE_STATUSES,
	PROFILES,
	REALISTIC_RETRY_AFTER_S,
	SIGNED_URL_TTL_MS,
	SUPPORTED_SCHEMES,
	SYNC_APPEND_MODES,
	SYNC_UPLOAD_REMOVED_MESSAGE,
	itemFailure,
	jobErrorText,
	metadataErrorText,
	remoteUrlFailure,
} from './rules';
export type {
	AppendForm,
	LocalImageInfo,
	PartialFailureStatus,
	ProfileSettings,
	SyncAppendMode,
} from './rules';
export { FINAL_STATUSES } from './jobs';
export { sniffImageType } from './remoteImages';
export type { FetchedImageInfo } from './remoteImages';
export type { JobEntry } from './jobs';
