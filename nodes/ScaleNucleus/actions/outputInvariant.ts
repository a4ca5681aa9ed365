/**
 * The output invariant the router checks after every operation that pairs its output itself
 * (`execute` modules, types.ts): no input item may vanish from the output, or come out twice, without
 * an error saying so. A bug in a join (say, keyed by a job ID the server gave twice) then fails the
 * run loudly, naming the items, instead of dropping them silently.
 *
 * What an operation promises:
 * - `exactlyOnce` (Append, Update Metadata): every input item is in exactly one output item, its own
 *   result or error item, or one summary item paired to several (a job not waited for);
 * - `atLeastOnce` (Job → Wait for Completion): every input item is in one or more output items (one
 *   per job it names; a job named by several items is one output item paired to all of them);
 * - `anyNumber` (Sync from Bucket): each input item asks for a run whose items (jobs, failed objects,
 *   a summary, or the folders listed, none for an empty prefix) are all paired to it.
 * In every case no output item is paired to an input item that does not exist, and none to nothing.
 * Per-item operations (`executeItem`) are paired by the router itself, one item per answer (a list
 * answer, as Get Many's, gives its entries, none for an empty list), so they need no check.
 */
import type { INodeExecutionData, IPairedItemData } from 'n8n-workflow';

export type OutputPromise = 'exactlyOnce' | 'atLeastOnce' | 'anyNumber';

export interface OutputProblems {
	/** Input items no output item is paired to. */
	missing: number[];
	/** Input items paired more often than promised (exactlyOnce only). */
	duplicated: number[];
	/** Pairings to an input index that does not exist. */
	unknown: number[];
	/** Output items paired to no input item. */
	unpaired: number;
}

function pairings(item: INodeExecutionData): number[] {
	const paired = item.pairedItem;
	if (paired === undefined || paired === null) return [];
	const list: Array<IPairedItemData | number> = Array.isArray(paired) ? paired : [paired];
	return list.map((p) => (typeof p === 'number' ? p : p.item));
}

/** What breaks the promise in `output` for `inputCount` input items, or undefined when nothing does. */
export function outputProblems(
	output: INodeExecutionData[],
	inputCount: number,
	promise: OutputPromise,
): OutputProblems | undefined {
	const seen = new Array<number>(inputCount).fill(0);
	const unknown = new Set<number>();
	let unpaired = 0;
	for (const item of output) {
		const indexes = pairings(item);
		if (indexes.length === 0) unpaired++;
		for (const index of indexes) {
			if (Number.isInteger(index) && index >= 0 && index < inputCount) seen[index]++;
			else unknown.add(index);
		}
	}
	const missing: number[] = [];
	const duplicated: number[] = [];
	seen.forEach((n, index) => {
		if (n === 0 && promise !== 'anyNumber') missing.push(index);
		else if (n > 1 && promise === 'exactlyOnce') duplicated.push(index);
	});
	if (!missing.length && !duplicated.length && !unknown.size && !unpaired) return undefined;
	return { missing, duplicated, unknown: [...unknown], unpaired };
}

const SHOWN = 20;

function list(indexes: number[]): string {
	const shown = indexes.slice(0, SHOWN).join(', ');
	return indexes.length > SHOWN ? `${shown} and ${indexes.length - SHOWN} more` : shown;
}

/** One sentence naming every kind of problem, with the item indexes (as n8n numbers items, from 0). */
export function describeOutputProblems(p: OutputProblems): string {
	const parts: string[] = [];
	if (p.missing.length) parts.push(`input item(s) ${list(p.missing)} have no output item`);
	if (p.duplicated.length)
		parts.push(`input item(s) ${list(p.duplicated)} come out more than once`);
	if (p.unknown.length)
		parts.push(`output paired to item(s) ${list(p.unknown)}, which do not exist`);
	if (p.unpaired) parts.push(`${p.unpaired} output item(s) are paired to no input item`);
	return parts.join('; ');
}
