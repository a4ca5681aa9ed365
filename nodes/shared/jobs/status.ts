/**
 * Where a job is judged final: AsyncJob status classification and normalisation (pure).
 *
 * Final statuses: Completed, Cancelled and anything starting with "Errored". Queued, Running,
 * Started and Retried are NOT final (the Python SDK stopped waiting on Queued; we do not).
 * Status comparison is case-insensitive.
 */
import type { IDataObject } from 'n8n-workflow';
import { OperationalError } from 'n8n-workflow';

export const FINAL_STATUSES = [
	'Completed',
	'Cancelled',
	'Errored',
	'Errored_Server',
	'Errored_User',
	'Errored_Partial',
	'Errored_Hanging',
] as const;

function norm(s: unknown): string {
	return typeof s === 'string' ? s.trim().toLowerCase() : '';
}

export function isErrorStatus(s: string): boolean {
	return norm(s).startsWith('errored');
}

export function isSuccessStatus(s: string): boolean {
	return norm(s) === 'completed';
}

export function isFinalStatus(s: string): boolean {
	const n = norm(s);
	return n === 'completed' || n === 'cancelled' || n.startsWith('errored');
}

/** `'0.33'` → 0.33, `0.5` → 0.5, `'45%'` → 0.45; anything else → null. */
export function parseProgress(p: unknown): number | null {
	if (typeof p === 'number') return Number.isFinite(p) ? p : null;
	if (typeof p !== 'string') return null;
	let t = p.trim();
	let scale = 1;
	if (t.endsWith('%')) {
		t = t.slice(0, -1).trim();
		scale = 100;
	}
	if (t.length === 0 || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
	const n = Number(t) / scale;
	return Number.isFinite(n) ? n : null;
}

function parseCount(v: unknown): number | null {
	if (typeof v === 'number') return Number.isFinite(v) ? v : null;
	if (typeof v === 'string' && /^\s*\d+\s*$/.test(v)) return Number(v);
	return null;
}

export function looksLikeJson(text: string): boolean {
	const t = text.trim();
	return (t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'));
}

export function tryParseJson(text: string): { ok: true; value: unknown } | { ok: false } {
	try {
		return { ok: true, value: JSON.parse(text) };
	} catch {
		return { ok: false };
	}
}

export interface JobStatusView {
	job_id: string;
	status: string;
	/** true only for Completed. */
	succeeded: boolean;
	/** true for any Errored* status. */
	errored: boolean;
	/** true for Completed, Cancelled and Errored*; never for Queued/Running/Started/Retried. */
	final: boolean;
	progress: number | null;
	completed_steps: number | null;
	total_steps: number | null;
	/** The job's message: an object stays an object, a JSON string is parsed, other text is kept. */
	message: unknown;
}

/**
 * Normalizes `GET job/{id}` (and, via `job_last_known_status`, job info objects). Throws an
 * OperationalError when the response is not an object or has no status, so a caller never
 * keeps waiting on a response it cannot read.
 */
export function normalizeJobStatus(raw: unknown, fallbackJobId?: string): JobStatusView {
	let obj: unknown = raw;
	if (typeof obj === 'string' && looksLikeJson(obj)) {
		const parsed = tryParseJson(obj);
		if (parsed.ok) obj = parsed.value;
	}
	if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
		throw new OperationalError(
			`Nucleus returned an unreadable job status${fallbackJobId ? ` for job ${fallbackJobId}` : ''} (expected an object)`,
		);
	}
	const r = obj as Record<string, unknown>;
	const statusRaw = typeof r.status === 'string' ? r.status : r.job_last_known_status;
	if (typeof statusRaw !== 'string' || statusRaw.trim().length === 0) {
		throw new OperationalError(
			`Nucleus returned a job status without a status${fallbackJobId ? ` for job ${fallbackJobId}` : ''}`,
		);
	}
	const status = statusRaw.trim();
	let message: unknown = r.message ?? null;
	if (typeof message === 'string' && looksLikeJson(message)) {
		const parsed = tryParseJson(message);
		if (parsed.ok) message = parsed.value;
	}
	const jobId =
		typeof r.job_id === 'string' || typeof r.job_id === 'number'
			? String(r.job_id)
			: (fallbackJobId ?? '');
	return {
		job_id: jobId,
		status,
		succeeded: isSuccessStatus(status),
		errored: isErrorStatus(status),
		final: isFinalStatus(status),
		progress: parseProgress(r.job_progress ?? r.progress),
		completed_steps: parseCount(r.completed_steps),
		// The SDK docstring spells the key "total_steps:"; accept both.
		total_steps: parseCount(r.total_steps ?? r['total_steps:']),
		message,
	};
}

/** A job status as the json of an output item. */
export function jobStatusJson(status: JobStatusView): IDataObject {
	return { ...status } as IDataObject;
}
