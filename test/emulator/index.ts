/**
 * Nucleus-compatible emulator: `import { startEmulator } from '../emulator'`.
 * Rules (per-item failures, update semantics, limits, profiles): ./rules.ts. Faults: ./faults.ts.
 * Jobs: ./jobs.ts. Server, routes and the control API: ./server.ts. CLI: ./cli.ts.
 */
export { startEmulator, DEFAULT_FAULTS } from './server';
export type { Emulator, EmulatorOptions, EmulatorStats, Faults, JobRecord, JobHistoryEntry, StoredItem } from './server';
export {
	API_PREFIX,
	DEFAULT_API_KEY,
	IMAGE_BATCH_SIZE,
	MAX_JOB_ERRORS,
	MAX_JOBS_LIMIT,
	MAX_SYNC_ITEMS,
	PROFILES,
	REALISTIC_RETRY_AFTER_S,
	SIGNED_URL_TTL_MS,
	SUPPORTED_SCHEMES,
	itemFailure,
	jobErrorText,
	remoteUrlFailure,
} from './rules';
export type { ProfileSettings, LocalImageInfo } from './rules';
export { FINAL_STATUSES } from './jobs';
