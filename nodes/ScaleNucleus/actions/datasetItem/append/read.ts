/**
 * Step 1 of Append: read the node parameters of each input item. Nothing is checked here except
 * that an expression could be evaluated; the values go to validate.ts as they are.
 * Each parameter is read through PerItemParameterReader (shared/parameters/perItemReader.ts), which
 * gives `getNodeParameter`'s values without evaluating, per item, what cannot differ between items.
 */
import type { IDataObject, IGetNodeParameterOptions } from 'n8n-workflow';

import { PerItemParameterReader } from '../../../../shared/parameters/perItemReader';
import { isProblem, itemProblem, type ItemProblem } from './problem';

/** Reads each parameter for each item (see PerItemParameterReader), and parses a value once per run. */
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

export type AppendMode = 'remote' | 'local';

/** The metadata parameters of one item, not yet checked. */
export type MetadataInput =
	| { mode: 'none' }
	| { mode: 'allFields'; skip: ReadonlySet<string> }
	| { mode: 'json'; value: unknown }
	| { mode: 'fields'; pairs: unknown };

/** Where the image of a local item comes from, as the parameters say. */
export type LocalInput =
	| { imageSource: 'binary'; binaryProperty: unknown }
	| { imageSource: 'path'; filePath: unknown };

/** The parameters of one input item, as read (expressions evaluated, nothing checked). */
export type ItemInput = {
	itemIndex: number;
	datasetId: unknown;
	referenceId: unknown;
	metadata: MetadataInput;
	width: unknown;
	height: unknown;
} & ({ kind: 'remote'; imageUrl: unknown } | { kind: 'local'; local: LocalInput });

/** Reads one parameter of one item; an expression that fails becomes a problem naming the field. */
function read(
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
		const raw = read(params, 'excludeFields', 'Fields to Exclude', itemIndex, '');
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
		const value = read(params, 'metadataJson', 'Metadata (JSON)', itemIndex, '{}');
		return isProblem(value) ? value : { mode, value };
	}
	if (mode === 'fields') {
		const pairs = read(params, 'metadataFields.field', 'Metadata Fields', itemIndex, []);
		return isProblem(pairs) ? pairs : { mode, pairs };
	}
	return NO_METADATA;
}

const NO_METADATA: MetadataInput = { mode: 'none' };

function readLocal(params: ItemParameters, itemIndex: number): LocalInput | ItemProblem {
	if (params.get('imageSource', itemIndex, 'binary') === 'path') {
		const filePath = read(params, 'filePath', 'File Path', itemIndex, '');
		return isProblem(filePath) ? filePath : { imageSource: 'path', filePath };
	}
	const binaryProperty = read(
		params,
		'binaryPropertyName',
		'Input Binary Field',
		itemIndex,
		'data',
	);
	return isProblem(binaryProperty) ? binaryProperty : { imageSource: 'binary', binaryProperty };
}

/** Reads one item's parameters; the first expression that fails becomes a problem naming its field. */
export function readItemInput(
	params: ItemParameters,
	mode: AppendMode,
	itemIndex: number,
): ItemInput | ItemProblem {
	const datasetId = read(params, 'datasetId', 'Dataset', itemIndex, '', { extractValue: true });
	if (isProblem(datasetId)) return datasetId;
	const referenceId = read(params, 'referenceId', 'Reference ID', itemIndex, '');
	if (isProblem(referenceId)) return referenceId;
	const metadata = readMetadata(params, itemIndex);
	if (isProblem(metadata)) return metadata;
	const options = params.get('options', itemIndex, {}) as IDataObject;
	// One object per item, built in place (no spread of a shared part): 100,000 items are read in a row.
	if (mode === 'remote') {
		const imageUrl = read(params, 'imageUrl', 'Image URL', itemIndex, '');
		if (isProblem(imageUrl)) return imageUrl;
		return {
			kind: 'remote',
			itemIndex,
			datasetId,
			referenceId,
			metadata,
			width: options.width,
			height: options.height,
			imageUrl,
		};
	}
	const local = readLocal(params, itemIndex);
	if (isProblem(local)) return local;
	return {
		kind: 'local',
		itemIndex,
		datasetId,
		referenceId,
		metadata,
		width: options.width,
		height: options.height,
		local,
	};
}
