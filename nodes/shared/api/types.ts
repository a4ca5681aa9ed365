/** Shapes of the Nucleus REST API as this package uses them (facts: the Python SDK scaleapi/nucleus-python-client). */

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

/** Returned by `append?async=1`, `job/{id}/info` and `POST jobs/`. */
export interface AsyncJobInfo {
	job_id: string;
	job_last_known_status: string;
	job_type: string;
	job_creation_time: string;
	dataset_id?: string | null;
}

export interface DatasetDetails {
	id: string;
	name: string;
	is_public?: boolean;
}
