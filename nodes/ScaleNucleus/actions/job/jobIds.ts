/**
 * The Job ID cell of an input item, read for Wait for Completion (pure): one ID, several separated
 * by commas, semicolons, spaces or new lines (e.g. `{{ $json.job_ids.join(',') }}`), or an array
 * from an expression. Either every ID of the cell is usable or the item is refused, so a typo never
 * silently drops a job from the wait.
 */
import { jobIdProblem } from '../../../shared/api/paths';
import { oneLine } from '../../../shared/text';

export const JOB_ID_FIELD = 'Job ID';
const SEPARATORS = /[\s,;]+/;

const FIX =
	"Set 'Job ID' to the job_id of Append Items (with Wait for Completion off), e.g. {{ $json.job_id }}.";

export type JobIdCell =
	| { ok: true; ids: string[] }
	| { ok: false; message: string; description: string };

function describe(value: unknown): string {
	if (value === undefined) return 'nothing (undefined)';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (typeof value === 'object') {
		let text: string;
		try {
			text = JSON.stringify(value);
		} catch {
			text = String(value);
		}
		return `an object (${oneLine(text, 60)})`;
	}
	return `${typeof value === 'boolean' ? 'a boolean' : `a ${typeof value}`} (${oneLine(String(value), 60)})`;
}

/** The job IDs an item names, in the order given, without repeats; or why the cell is unusable. */
export function parseJobIdCell(value: unknown, itemIndex: number): JobIdCell {
	const tokens: string[] = [];
	const bad: unknown[] = [];
	const add = (v: unknown, depth: number): void => {
		if (typeof v === 'string') tokens.push(...v.split(SEPARATORS).filter((t) => t.length > 0));
		else if (typeof v === 'number' && Number.isSafeInteger(v)) tokens.push(String(v));
		else if (Array.isArray(v) && depth < 3) for (const e of v) add(e, depth + 1);
		else bad.push(v);
	};
	add(value, 0);
	if (bad.length > 0) {
		return {
			ok: false,
			message: `Item ${itemIndex}: ${JOB_ID_FIELD} must be text, but got ${describe(bad[0])}`,
			description: `${FIX} Several IDs may be given separated by commas, spaces or new lines, or as an array of texts.`,
		};
	}
	if (tokens.length === 0) {
		return {
			ok: false,
			message: `Item ${itemIndex}: ${JOB_ID_FIELD} is empty`,
			description: FIX,
		};
	}
	// The shape Nucleus issues (shared/api/paths.ts): a typo or a pasted dataset ID is caught here,
	// before any request, and no token can change the route it is sent in.
	for (const token of tokens) {
		const problem = jobIdProblem(token, `Item ${itemIndex}: `);
		if (problem) return { ok: false, message: problem.message, description: FIX };
	}
	return { ok: true, ids: [...new Set(tokens)] };
}

/**
 * Groups the items by job: every distinct job ID in first-seen order, with the input items that
 * name it (ascending).
 */
export function groupByJob(
	cells: Array<{ itemIndex: number; ids: string[] }>,
): Map<string, number[]> {
	const jobs = new Map<string, number[]>();
	for (const { itemIndex, ids } of cells) {
		for (const id of ids) {
			const items = jobs.get(id);
			if (!items) jobs.set(id, [itemIndex]);
			else if (items[items.length - 1] !== itemIndex) items.push(itemIndex);
		}
	}
	return jobs;
}
