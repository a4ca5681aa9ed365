/**
 * Behaviour rules of the Nucleus emulator: a model of the API as public material describes it,
 * not Scale's published contract. "The SDK" is Scale's Python client, scaleapi/nucleus-python-client
 * (files under `nucleus/`, tests under `tests/`); "PR #n" is a pull request there; "Add Images" is
 * Scale's REST page nucleus.scale.com/reference/add-images. Where the real API
 * is unknown the rule says ASSUMPTION.
 *
 * APPEND WIRE FORMS (POST dataset/{id}/append; one handler per form in ./routes/append.ts):
 *   current (the SDK's `serialize_and_write_to_presigned_url` and `upload_local_async`; all image
 *   ingestion is asynchronous since v0.19.0 / PR #468, July 2026):
 *     presigned       JSON {requestId, update} to append?async=1, after the NDJSON PUT   -> AsyncJob
 *     multipartBatch  multipart `items` (JSON array, each item may carry "update") + one `image` part
 *                     per item, same order, filename = the item's image_url (percent-encoded by the
 *                     SDK; the decoded form is accepted too), at most MAX_LOCAL_FILES_PER_REQUEST (10)
 *                     images, to append?async=1                                            -> AsyncJob
 *   pre-2026 synchronous (the SDK's v0.18.8 `nucleus/dataset_item_uploader.py`), answered by the `syncAppend` mode (SyncAppendMode below):
 *     legacyJson      JSON {items, update} to append (no async)
 *     legacyItem      multipart `item` + one `image` to append (the "Add Images" page)
 *     legacyItems     multipart `items` + repeated `image` to append (SDK v0.18.8, `_process_append_requests_local`)
 *   Every AsyncJob answer is {job_id, job_last_known_status: "Queued", job_type: "uploadDatasetItems",
 *   job_creation_time} (+ dataset_id, an emulator extra also sent by `job/{id}/info`); ONE JOB PER
 *   REQUEST (the SDK's `upload_local_async` returns one job response per request).
 *
 * DETERMINISTIC PER-ITEM FAILURES (checked in this order; the first that applies wins):
 *   1. `reference_id` missing, empty or not a string          -> "missing reference_id"
 *      (every form but presigned checks this per request: the whole request is a 400, see below)
 *   2. same `reference_id` earlier in the same upload          -> "duplicate reference_id in this upload"
 *      (presigned NDJSON only: the FIRST occurrence is applied, later ones fail; other forms: 400)
 *   3. `metadata` present but not a plain object               -> "metadata must be an object"
 *   4. `width`/`height` present but not positive integers      -> "width and height must be positive integers"
 *   5. privacy-mode dataset and width/height missing           -> "privacy mode datasets need width and height"
 *   6. remote item (no uploaded image part):
 *        `image_url` missing/empty                             -> "missing image_url"
 *        not a parseable absolute URL                          -> "malformed URL"
 *        scheme not http/https/s3/gs                           -> `unsupported scheme "<scheme>"`
 *        host ending in `.invalid` (e.g. `bad.invalid`)        -> "could not fetch image (host not found)"
        only with EmulatorOptions.s3Endpoint (remoteImages.ts): an s3:// or loopback http(s) image
        the job reads and cannot fetch, finds empty or not an image -> "could not fetch image
        (HTTP 404)", "empty image", "not a supported image (unrecognised format)"
 *      local item (multipart image part):
 *        image part has 0 bytes                                -> "empty image"
 *        (legacyItems only) no image part matched the item     -> "no image part for this item"
 *   7. a metadata key whose value type (string vs number) conflicts with the type the dataset
 *      already recorded for that key                           -> `metadata key "<k>" is a <t1> but the dataset stores <t2>`
 *      (booleans, null, objects and arrays are not typed; a type is recorded when an item is stored)
 * Jobs record each failure in `GET job/{id}/errors` (the most recent 10,000) in the public form of
 * PR #67's test: `Failure when processing the image "<image_url>": <reason>` (no reference_id: the real API
 * is not known to send one). Legacy count answers list failures in `error_payload` (item JSON + `error`)
 * and count them in `upload_errors` (the SDK's v0.18.8 `nucleus/upload_response.py`).
 *
 * REQUEST-LEVEL 400s (nothing is applied, no job is created):
 *   all item lists: `items` missing, not an array, empty, or longer than MAX_SYNC_ITEMS (1000); an item
 *     that is not an object or has no non-empty string reference_id; duplicate reference_ids within the
 *     request (the SDK refuses these client-side, `check_for_duplicate_reference_ids`; ASSUMPTION: the server refuses them too);
 *   multipartBatch: more than MAX_LOCAL_FILES_PER_REQUEST images (ASSUMPTION: the SDK's client-side
 *     maximum local_files_per_upload_request = 10, `upload_local_async`, taken as the server's); number of image
 *     parts != number of items; an image part whose filename is neither the item's image_url nor its
 *     percent-encoded form (pairing is by order, as the SDK sends them); an `item` part instead of `items`;
 *   presigned: no requestId, unknown requestId, nothing uploaded for it;
 *   syncAppend 'removed': every pre-2026 form (SYNC_UPLOAD_REMOVED_MESSAGE).
 *
 * UPDATE SEMANTICS (keyed by reference_id per dataset, the docstrings of the SDK's
 * `Dataset.append` and `DatasetItem`): a valid item whose reference_id is new
 * is stored (`new_items`); existing + update=true -> replaced entirely, metadata included
 * (`updated_items`); existing + update=false -> left untouched (`ignored_items`). A failing item never
 * touches the dataset. multipartBatch takes each item's own "update" (`upload_local_async`); presigned takes the
 * body's `update`.
 *
 * JOB FINAL STATUS: Completed (no item failed) | `partialFailureStatus` (some failed; default
 * Errored_Partial, or Errored) | Errored_User (every item failed, empty upload, bad NDJSON, dataset
 * gone). See PartialFailureStatus below.
 *
 * METADATA UPDATES (POST dataset/{id}/metadata?async=0|1, the SDK's update_item_metadata and
 * `nucleus/metadata_manager.py`;
 * routes/items.ts): body {metadata: [{reference_id, metadata, camera_params?}], level: "item"|"scene"}.
 *   Merge semantics: the sent keys are joined to the item's metadata, a sent key wins (shallow: a nested
 *   object replaces the stored one; null is stored as null. ASSUMPTION: the SDK only says "join ... the
 *   value given in the mapping will take precedence"). Unlike re-append with update=true, keys not sent
 *   stay. Per entry, in order (the first that applies wins):
 *     1. no item with that reference_id in the dataset           -> METADATA_MISSING_ITEM (ASSUMPTION:
 *        worded like the public annotation error "Item with id bad_ref_id does not exist." of
 *        the SDK's `AsyncJob.errors` docstring)
 *     2. a key whose value type (string vs number) conflicts with the dataset's recorded type, the same
 *        rule 7 as on append                                      -> `metadata key "<k>" is a <t1> but ...`
 *   A failed entry changes nothing; new keys of an applied entry record their type.
 *   Failures read `Failed to update the metadata of the item with reference_id "<ref>": <reason>`
 *   (metadataErrorText; ASSUMPTION: the real text is not public; it names the reference ID because a
 *   metadata update carries no image URL).
 *   async=0: at most MAX_SYNC_METADATA_ITEMS (500) entries (ASSUMPTION: the SDK refuses more
 *     client-side, "too large to perform it synchronously", `nucleus/metadata_manager.py`; taken as the server's limit, 400
 *     above it). Answer (ASSUMPTION: the SDK only says "a dictionary outlining success or failures"):
 *     {dataset_id, updated_items, failed_items, errors: [text, ...]}.
 *   async=1: no item limit; one AsyncJob per request {job_id, job_last_known_status: "Queued",
 *     job_type: "metadataUpdate" (the SDK's CustomerJobTypes.METADATA_UPDATE; ASSUMPTION that this job
 *     carries it), job_creation_time}; the job applies the entries in order and lists the failures in
 *     `GET job/{id}/errors`; it ends Completed / partialFailureStatus / Errored_User like an upload job.
 *   Request-level 400s (nothing applied): body not an object; `metadata` not a non-empty list; an
 *   entry that is not an object, has no non-empty string reference_id or whose metadata is not an
 *   object; the same reference_id twice (the SDK sends a dict, so never; ASSUMPTION: refused); `level`
 *   other than "item" ("scene" is the SDK's update_scene_metadata; the emulator models no scenes).
 *
 * ILOC (GET dataset/{id}/iloc/{i}, the SDK's `Dataset.iloc`): the item at absolute index i, {item, annotations} as refloc.
 *   ASSUMPTION: the index follows insertion order (the real order is not public); i must be a whole
 *   number written in decimal digits (else 400); past the last item -> 404.
 *
 * FAULTS are decided per request BEFORE the request body is read or applied: a 429, 5xx or dropped
 * connection never half-applies an append, so a client that retries gets each item stored exactly once.
 */

export const API_PREFIX = '/v1/nucleus';
export const DEFAULT_API_KEY = 'test_emulator_key_0123456789';

/** Images processed per job batch (stage 2); job status and progress are updated once per batch. */
export const IMAGE_BATCH_SIZE = 3000;
/** Max items in one JSON / multipart `items` list (the old SDK asserted < 30 for sync JSON; we accept more). */
export const MAX_SYNC_ITEMS = 1000;
/**
 * Max image parts in one multipartBatch request. ASSUMPTION: the SDK's client-side maximum
 * `local_files_per_upload_request` (default and max 10, `upload_local_async`), taken as the server's limit.
 */
export const MAX_LOCAL_FILES_PER_REQUEST = 10;

/**
 * How the pre-2026 synchronous append forms (legacyJson, legacyItem, legacyItems) are answered.
 * - 'job' (DEFAULT): taken into the async pipeline and answered with an AsyncJob (one job per request),
 *   not counts. ASSUMPTION, and why: PR468 says its backend companion (scaleapi#150037) was merged
 *   BEFORE the SDK stopped sending synchronous appends, so older SDKs kept getting 2xx answers, and
 *   "All Nucleus uploads now go through the async pipeline" (PR #468; what the server answers the old
 *   forms now is not public).
 * - 'removed': HTTP 400 {error: SYNC_UPLOAD_REMOVED_MESSAGE, status_code: 400}. ASSUMPTION: the text
 *   and the status are unknown (nothing public says).
 * - 'legacy': the v0.18.8 behaviour, counts {dataset_id, new_items, updated_items, ignored_items,
 *   upload_errors, error_payload} (`nucleus/upload_response.py`), for the node's opt-in legacy path.
 */
export type SyncAppendMode = 'job' | 'removed' | 'legacy';
export const SYNC_APPEND_MODES: readonly SyncAppendMode[] = ['job', 'removed', 'legacy'];
export const DEFAULT_SYNC_APPEND: SyncAppendMode = 'job';
/** ASSUMPTION: text and status of the 'removed' answer are unknown (nothing public says). */
export const SYNC_UPLOAD_REMOVED_MESSAGE =
	'Synchronous uploads are no longer supported. Use the asynchronous pipeline (append?async=1).';

/**
 * Final status of an upload job where some but not all items failed. 'Errored_Partial' (DEFAULT):
 * the SDK's `JobStatus` (`nucleus/async_job.py`) has it and `AsyncJob.sleep_until_complete` raises
 * JobError on it (PR #397); 'Errored': the only public sample of a partly failed item upload ended so
 * (the SDK's `tests/test_dataset.py` before PR #291; which one the server uses now is not public).
 */
export type PartialFailureStatus = 'Errored_Partial' | 'Errored';
export const PARTIAL_FAILURE_STATUSES: readonly PartialFailureStatus[] = [
	'Errored_Partial',
	'Errored',
];
export const DEFAULT_PARTIAL_FAILURE_STATUS: PartialFailureStatus = 'Errored_Partial';

/** The wire forms of `POST dataset/{id}/append` (see the top of this file). */
export type AppendForm =
	| 'presigned'
	| 'multipartBatch'
	| 'legacyJson'
	| 'legacyItem'
	| 'legacyItems';
export const APPEND_FORMS: readonly AppendForm[] = [
	'presigned',
	'multipartBatch',
	'legacyJson',
	'legacyItem',
	'legacyItems',
];
/** Max entries of one synchronous metadata update (see METADATA UPDATES above). */
export const MAX_SYNC_METADATA_ITEMS = 500;
/** Job type of an asynchronous metadata update (the SDK's CustomerJobTypes.METADATA_UPDATE). */
export const METADATA_JOB_TYPE = 'metadataUpdate';
/** Reason of a metadata update for a reference ID the dataset does not hold (rule 1 above). */
export const METADATA_MISSING_ITEM = 'the item does not exist in this dataset';
/** Max `limit` for `POST jobs/`. */
export const MAX_JOBS_LIMIT = 50_000;
/** `GET job/{id}/errors` keeps the most recent this many errors. */
export const MAX_JOB_ERRORS = 10_000;
/** Lifetime of a presigned URL. */
export const SIGNED_URL_TTL_MS = 3600_000;
/** Max size of a JSON request body (sync append etc.). */
export const MAX_JSON_BODY_BYTES = 64 * 1024 * 1024;
/** Max size of a non-file multipart field (`item`, `items`). ASSUMPTION: no public limit. */
export const MAX_MULTIPART_FIELD_BYTES = 16 * 1024 * 1024;

export const SUPPORTED_SCHEMES = ['http', 'https', 's3', 'gs'] as const;

export interface ProfileSettings {
	/** Added to every API and storage request before it is handled. */
	latencyMs: number;
	/** Request bodies are read no faster than this (per request). Infinity = unthrottled. */
	uploadBytesPerSec: number;
	/** API requests in flight per API key; the next one gets 429 with `Retry-After: 1`. Infinity = no limit. */
	maxInFlightPerKey: number;
	/** Stage 2 (image batches) rate, items/s, before jobSpeed. */
	jobItemsPerSec: number;
	/** Stage 1 (ingest_to_reupload_queue) rate, items/s, before jobSpeed. */
	ingestItemsPerSec: number;
	/** Time a job stays Queued before it starts Running, before jobSpeed. */
	jobQueueDelayMs: number;
}

/**
 * `fast` (tests): no latency, no limits; a 3000-item batch takes ~50 ms.
 * `realistic` (bench): a model of a hosted API, NOT Scale's published limits: ~50 ms per request,
 * bodies read at 100 MB/s per request, at most 32 requests in flight per key (the 33rd gets 429 +
 * `Retry-After: 1`), jobs ingest at 20,000 items/s and process images at 2,000 items/s.
 */
export const PROFILES: Readonly<Record<'fast' | 'realistic', Readonly<ProfileSettings>>> = {
	fast: {
		latencyMs: 0,
		uploadBytesPerSec: Infinity,
		maxInFlightPerKey: Infinity,
		jobItemsPerSec: 60_000,
		ingestItemsPerSec: 600_000,
		jobQueueDelayMs: 10,
	},
	realistic: {
		latencyMs: 50,
		uploadBytesPerSec: 100 * 1024 * 1024,
		maxInFlightPerKey: 32,
		jobItemsPerSec: 2_000,
		ingestItemsPerSec: 20_000,
		jobQueueDelayMs: 500,
	},
};

export const REALISTIC_RETRY_AFTER_S = 1;

export interface ItemLike {
	reference_id?: unknown;
	image_url?: unknown;
	metadata?: unknown;
	width?: unknown;
	height?: unknown;
	[k: string]: unknown;
}

export interface LocalImageInfo {
	bytes: number;
	sha256: string;
	contentType: string;
	filename: string;
}

export interface FailureContext {
	usePrivacyMode: boolean;
	/** Recorded metadata key types of the dataset. */
	metadataTypes: Map<string, 'string' | 'number'>;
	/** Set when the item came with a multipart image part; `null` = legacyItems item with no matching part. */
	image?: LocalImageInfo | null;
	/** Why reading the remote image failed, when the emulator read it (remoteImages.ts). */
	remoteFailure?: string;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPositiveInt(v: unknown): boolean {
	return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

/** Remote URL rule (6.): returns a reason or undefined. */
export function remoteUrlFailure(url: unknown): string | undefined {
	if (typeof url !== 'string' || url.trim() === '') return 'missing image_url';
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return 'malformed URL';
	}
	const scheme = parsed.protocol.replace(/:$/, '').toLowerCase();
	if (!(SUPPORTED_SCHEMES as readonly string[]).includes(scheme))
		return `unsupported scheme "${scheme}"`;
	const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
	if (host === '' && scheme !== 's3' && scheme !== 'gs') return 'malformed URL';
	if (host === 'invalid' || host.endsWith('.invalid'))
		return 'could not fetch image (host not found)';
	return undefined;
}

export function metadataTypeOf(v: unknown): 'string' | 'number' | undefined {
	if (typeof v === 'string') return 'string';
	if (typeof v === 'number') return 'number';
	return undefined;
}

/**
 * The deterministic per-item failure rule (rules 3-7 above; 1-2 are checked by the caller because they
 * need the whole upload). Returns the reason, or undefined when the item is acceptable.
 */
export function itemFailure(item: ItemLike, ctx: FailureContext): string | undefined {
	if (item.metadata !== undefined && item.metadata !== null && !isPlainObject(item.metadata)) {
		return 'metadata must be an object';
	}
	const hasW = item.width !== undefined && item.width !== null;
	const hasH = item.height !== undefined && item.height !== null;
	if ((hasW && !isPositiveInt(item.width)) || (hasH && !isPositiveInt(item.height))) {
		return 'width and height must be positive integers';
	}
	if (ctx.usePrivacyMode && !(hasW && hasH)) return 'privacy mode datasets need width and height';
	if (ctx.image === null) return 'no image part for this item';
	if (ctx.image) {
		if (ctx.image.bytes === 0) return 'empty image';
	} else {
		const r = remoteUrlFailure(item.image_url) ?? ctx.remoteFailure;
		if (r) return r;
	}
	if (isPlainObject(item.metadata)) return metadataTypeConflict(item.metadata, ctx.metadataTypes);
	return undefined;
}

/**
 * Text of one entry in `GET job/{id}/errors`, in the public form of PR #67's test:
 * `Failure when processing the image "<image_url>": <reason>`. The `<reason>` texts are the emulator's
 * (ASSUMPTION: the real reasons are not public; PR #67's sample shows `{}`).
 */
export function jobErrorText(url: unknown, reason: string): string {
	const u = typeof url === 'string' ? url : '';
	return `Failure when processing the image "${u}": ${reason}`;
}

/** Text of one metadata-update failure (sync answer `errors` and job errors; see METADATA UPDATES). */
export function metadataErrorText(referenceId: string, reason: string): string {
	return `Failed to update the metadata of the item with reference_id ${JSON.stringify(referenceId)}: ${reason}`;
}

/**
 * Rule 2 of METADATA UPDATES (rule 7 of append): the first key whose string/number type conflicts
 * with the type the dataset recorded, as a reason; undefined when every key fits.
 */
export function metadataTypeConflict(
	metadata: Record<string, unknown>,
	metadataTypes: Map<string, 'string' | 'number'>,
): string | undefined {
	for (const [k, v] of Object.entries(metadata)) {
		const t = metadataTypeOf(v);
		const known = metadataTypes.get(k);
		if (t && known && t !== known)
			return `metadata key "${k}" is a ${t} but the dataset stores ${known}`;
	}
	return undefined;
}
