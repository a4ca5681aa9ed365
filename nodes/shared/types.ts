/** Shapes of the Nucleus REST API as this package uses them (see README "API notes"). */

export interface NucleusCredentials {
	apiKey: string;
	baseUrl: string;
}

/** A DatasetItem as sent to `dataset/{id}/append` (JSON, NDJSON line or multipart `item` part). */
export interface DatasetItemPayload {
	reference_id: string;
	image_url: string;
	metadata: Record<string, unknown>;
	width?: number;
	height?: number;
}

/** Response of a synchronous append (JSON or multipart). */
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
