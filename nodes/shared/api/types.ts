/** Shapes of the Nucleus REST API as this package uses them (facts: shared nucleus-api.md). */

export interface NucleusCredentials {
	apiKey: string;
	baseUrl: string;
}

/** A DatasetItem as sent to `dataset/{id}/append` (NDJSON line, multipart `items` entry, legacy JSON). */
export interface DatasetItemPayload {
	reference_id: string;
	image_url: string;
	metadata: Record<string, unknown>;
	width?: number;
	height?: number;
}

/** Answer of a pre-2026 synchronous append (JSON or multipart without `?async=1`), nucleus-api.md 2.4. */
export interface AppendResponse {
	dataset_id: string;
	new_items: number;
	updated_items: number;
	ignored_items: number;
	upload_errors: number;
	error_payload?: Array<Partial<DatasetItemPayload> & { error?: string }>;
}

/** Returned by `append?async=1`, `job/{id}/info` and `POST jobs/`. */
export interface AsyncJobInfo {
	job_id: string;
	job_last_known_status: string;
	job_type: string;
	job_creation_time: string;
	dataset_id?: string | null;
}

/** Returned by `GET job/{id}`. */
export interface AsyncJobStatus {
	job_id: string;
	status: string;
	message: unknown;
	job_progress: string;
	completed_steps: number;
	total_steps: number;
}

export interface DatasetDetails {
	id: string;
	name: string;
	is_public?: boolean;
}

export interface DatasetInfo {
	dataset_id: string;
	name: string;
	length: number;
	model_run_ids: string[];
	slice_ids: string[];
	annotation_metadata_schema: unknown;
	item_metadata_schema: unknown;
	tags: unknown[];
}
