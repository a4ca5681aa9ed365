/** Public types of the emulator (re-exported by ./index.ts). */
import type { Faults } from './faults';
import type { JobRecord } from './jobs';
import type { AppendForm, PartialFailureStatus, ProfileSettings, SyncAppendMode } from './rules';
import type { StoredItem } from './store';

export interface EmulatorOptions {
	/** Default 'test_emulator_key_0123456789'. */
	apiKey?: string;
	/** Default 0 (ephemeral). */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	profile?: 'fast' | 'realistic';
	/** Multiplies job rates and divides the queue delay (default 1). */
	jobSpeed?: number;
	/** Initial faults. */
	faults?: Partial<Faults>;
	/** Default true: no request log. When false, one line per request goes to `log` (default stderr). */
	quiet?: boolean;
	log?: (line: string) => void;
	/** Override single numbers of the profile (e.g. latencyMs, maxInFlightPerKey). */
	overrides?: Partial<ProfileSettings>;
	/** Presigned URL lifetime (default SIGNED_URL_TTL_MS). */
	signedUrlTtlMs?: number;
	/** Accept chunked (no Content-Length) presigned PUTs; real S3 answers 501. Default false. */
	storageAllowChunked?: boolean;
	/** Jobs created by any append form stay Queued until `startJob`/`finishJob` (default false). */
	holdNewJobs?: boolean;
	/** How the pre-2026 synchronous append forms are answered (default 'job'; see rules.ts). */
	syncAppend?: SyncAppendMode;
	/** Final status of a job where some items failed (default 'Errored_Partial'; see rules.ts). */
	partialFailureStatus?: PartialFailureStatus;
	/**
	 * An S3-compatible endpoint (e.g. s3rver's http://127.0.0.1:PORT). When set, jobs read the images
	 * they ingest: `s3://bucket/key` from this endpoint (path style), `http(s)://` from loopback
	 * hosts; a missing, empty or non-image object fails that item (remoteImages.ts). Unset (default):
	 * no image URL is read.
	 */
	s3Endpoint?: string;
}

/** Settings that can change while the emulator runs (`setConfig`, `POST /__control/config`). */
export interface EmulatorConfig {
	syncAppend: SyncAppendMode;
	partialFailureStatus: PartialFailureStatus;
	holdNewJobs: boolean;
}

export interface EmulatorStats {
	/** Requests to API routes (/v1/nucleus), faulted ones included. */
	requests: number;
	storageRequests: number;
	controlRequests: number;
	/** Per route pattern, e.g. 'POST dataset/:id/append', 'PUT __storage'; faulted ones included. */
	byRoute: Record<string, number>;
	/** Per HTTP status sent (API and storage). */
	byStatus: Record<string, number>;
	faultsInjected: { r429: number; r5xx: number; dropped: number; slow: number };
	/** 429s from the realistic in-flight limit (not faults). */
	limited429: number;
	unauthorized: number;
	inFlight: number;
	inFlightPeak: number;
	/** `POST dataset/:id/append` requests that arrived (faulted ones included). */
	appendRequests: number;
	/**
	 * Append requests whose body was read, by wire form (recognised before validation, so requests
	 * refused with a 400, including syncAppend 'removed', are counted; faulted ones are not).
	 */
	appendRequestsByForm: Record<AppendForm, number>;
	/**
	 * Items of append requests that were accepted (answered 2xx), any form: the items list of a
	 * multipart / JSON append, or the non-empty NDJSON lines of a presigned upload.
	 */
	appendItemsReceived: number;
	/** Image parts read (multipart, any form, refused requests included). */
	imagesReceived: number;
	/** Request body bytes read (API and storage). */
	bytesReceived: number;
	storagePuts: number;
	/** Jobs created (any append form, an asynchronous metadata update, or `createJob` / the control API). */
	jobsCreated: number;
}

export interface Emulator {
	/** http://127.0.0.1:PORT/v1/nucleus */
	baseUrl: string;
	/** http://127.0.0.1:PORT */
	origin: string;
	apiKey: string;
	port: number;
	/** Effective profile numbers (jobSpeed not applied). */
	settings: Readonly<ProfileSettings>;
	jobSpeed: number;
	close(): Promise<void>;
	setFaults(f: Partial<Faults>): void;
	resetFaults(): void;
	faults(): Readonly<Faults>;
	stats(): EmulatorStats;
	resetStats(): void;
	/** Current runtime settings (a copy). */
	config(): EmulatorConfig;
	/** Change runtime settings; throws on an unknown key or value. Returns the new settings. */
	setConfig(c: Partial<EmulatorConfig>): EmulatorConfig;
	/** How the pre-2026 synchronous append forms are answered from now on. */
	setSyncAppend(mode: SyncAppendMode): void;
	/** Final status of jobs that end from now on with some (not all) items failed. */
	setPartialFailureStatus(status: PartialFailureStatus): void;
	createDataset(name: string, opts?: { usePrivacyMode?: boolean; isScene?: boolean }): string;
	getItem(datasetId: string, referenceId: string): StoredItem | undefined;
	listItems(datasetId: string): StoredItem[];
	itemCount(datasetId: string): number;
	getJob(jobId: string): JobRecord | undefined;
	listJobs(): JobRecord[];
	/** Create a job directly (as `append?async=1` would, from items instead of an upload). */
	createJob(
		datasetId: string | null,
		items?: unknown[],
		opts?: {
			update?: boolean;
			hold?: boolean;
			jobType?: string;
			createdAt?: Date | string;
			status?: string;
		},
	): JobRecord;
	/** Release a held job (created with hold: true, or while holdNewJobs was on). */
	startJob(jobId: string): boolean;
	/** While on, jobs created by any append form stay Queued until started or finished. */
	setHoldNewJobs(hold: boolean): void;
	/** Run the rest of a job without pacing; resolves with its final record. */
	finishJob(jobId: string): Promise<JobRecord | undefined>;
	waitForJob(jobId: string): Promise<JobRecord | undefined>;
	setJobStatus(jobId: string, status: string, finalError?: string): JobRecord | undefined;
	/**
	 * Make the API unreachable for `ms`: 'refuse' closes the listening socket (clients get ECONNREFUSED)
	 * and re-listens on the same port; 'reset' accepts and destroys every connection (ECONNRESET).
	 * Existing connections are destroyed either way. Resolves when the API is back.
	 */
	outage(ms: number, mode?: 'refuse' | 'reset'): Promise<void>;
}
