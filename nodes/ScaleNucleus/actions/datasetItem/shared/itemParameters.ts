/**
 * Where each parameter of each input item is read, for Append and Update Metadata: `readParameter`
 * is the one function both call per parameter and item. Nothing is checked here except that an
 * expression could be evaluated; the values go to the checks (../validate) as they are.
 *
 * `ItemParameters` reads through PerItemParameterReader (nodes/shared/parameters/perItemReader.ts),
 * which gives `getNodeParameter`'s values without evaluating, per item, what cannot differ between
 * items or can be read straight from the item's JSON.
 */
import type { IGetNodeParameterOptions } from 'n8n-workflow';

import { PerItemParameterReader } from '../../../../shared/parameters/perItemReader';
import { isProblem, itemProblem, type ItemProblem } from '../validate/problem';

/** Reads each parameter for each item (PerItemParameterReader), and parses a value once per run. */
export class ItemParameters extends PerItemParameterReader {
	readonly #derived = new Map<string, { raw: unknown; value: unknown }>();

	/**
	 * `make(raw)`, made again only when `raw` differs from the last call for `name`: a parameter that
	 * is the same for every item (the usual case) is parsed once per run, not once per item.
	 * Callers must not mutate the result.
	 */
	derive<T>(name: string, raw: unknown, make: (raw: unknown) => T): T {
		const last = this.#derived.get(name);
		if (last && Object.is(last.raw, raw)) return last.value as T;
		const value = make(raw);
		this.#derived.set(name, { raw, value });
		return value;
	}
}

/** The metadata parameters of one item, not yet checked. */
export type MetadataInput =
	| { mode: 'none' }
	| { mode: 'allFields'; skip: ReadonlySet<string> }
	| { mode: 'json'; value: unknown }
	| { mode: 'fields'; pairs: unknown };

/** Reads one parameter of one item; an expression that fails becomes a problem naming the field. */
export function readParameter(
	params: ItemParameters,
	name: string,
	field: string,
	itemIndex: number,
	fallback: unknown,
	options?: IGetNodeParameterOptions,
): unknown {
	try {
		return params.get(name, itemIndex, fallback, options);
	} catch (error) {
		const reason = error instanceof Error ? error.message : String(error);
		return itemProblem(
			itemIndex,
			field,
			`Item ${itemIndex}: could not evaluate ${field}: ${reason}`,
		);
	}
}

export function readMetadata(
	params: ItemParameters,
	itemIndex: number,
): MetadataInput | ItemProblem {
	const mode = params.get('metadataMode', itemIndex, 'none') as string;
	if (mode === 'allFields') {
		const raw = readParameter(params, 'excludeFields', 'Fields to Exclude', itemIndex, '');
		if (isProblem(raw)) return raw;
		return params.derive('excludeFields', raw, (text) => ({
			mode,
			skip: new Set(
				String(text ?? '')
					.split(',')
					.map((f) => f.trim())
					.filter(Boolean),
			),
		}));
	}
	if (mode === 'json') {
		const value = readParameter(params, 'metadataJson', 'Metadata (JSON)', itemIndex, '{}');
		return isProblem(value) ? value : { mode, value };
	}
	if (mode === 'fields') {
		const pairs = readParameter(params, 'metadataFields.field', 'Metadata Fields', itemIndex, []);
		return isProblem(pairs) ? pairs : { mode, pairs };
	}
	return NO_METADATA;
}

const NO_METADATA: MetadataInput = { mode: 'none' };
