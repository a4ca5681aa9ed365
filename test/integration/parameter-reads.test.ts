/**
 * Differential test of the per-item parameter reader (nodes/shared/parameters): inside a real
 * n8n-core ExecuteContext, with the Scale Nucleus node's own parameter descriptions, every parameter
 * is read for every item twice, by the reader and by n8n's `getNodeParameter`, and the two must agree:
 * the same value (Object.is for -0 and NaN, deep for objects) or an error with the same message; and
 * Append's read and check steps (read.ts readItems, validate/item.ts checkItems) must give the same
 * checked item or the same problem.
 * The inputs cover missing keys, numbers (-0, NaN, Infinity, 1e21, above 2^53), null, undefined,
 * booleans, strings with `{{`, unicode and line breaks, empty strings, arrays, objects and dates.
 * The test also counts the items the reader answered without n8n's evaluator, so a fast path that
 * stopped applying would fail it too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
} from 'n8n-workflow';

import { readItems } from '../../nodes/ScaleNucleus/actions/datasetItem/append/read';
import { ItemParameters } from '../../nodes/ScaleNucleus/actions/datasetItem/shared/itemParameters';
import { checkItems } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/item';
import { isProblem } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/problem';
import { hasExpression } from '../../nodes/shared/parameters/jsonTemplate';
import { runNode } from '../harness';
import { ScaleNucleus, rl } from './scale-nucleus';

const VALUES: Array<[string, unknown]> = [
	['a string', 'images/cats/img-1.jpg'],
	['an empty string', ''],
	['spaces', '  padded  '],
	['unicode', 'Zürich/日本語/🙂'],
	['braces', '{{ $json.v }}'],
	['quotes and a line break', `say "hi"\n'there'`],
	['zero', 0],
	['minus zero', -0],
	['a fraction', -1.5e-7],
	['a large number', 1e21],
	['above 2^53', 2 ** 53 + 2],
	['NaN', NaN],
	['Infinity', Infinity],
	['true', true],
	['false', false],
	['null', null],
	['undefined', undefined],
	['an array', ['x', 2]],
	['an empty array', []],
	['an object', { a: 1, b: 'two' }],
	['an empty object', {}],
	['a date', new Date(Date.UTC(2024, 0, 2, 3, 4, 5))],
];

/** Every value at every place the expressions below look: top level, nested, in a list, odd key names. */
function itemsFor(value: unknown): INodeExecutionData[] {
	const full: IDataObject = {
		v: value as IDataObject,
		w: 'second',
		o: { k: value as IDataObject },
		's p': value as IDataObject,
		list: [value as IDataObject, 'next'],
		caller: value as IDataObject,
		Key: value as IDataObject,
		ETag: value as IDataObject,
	};
	const missing: IDataObject = { w: 'second', o: {}, list: [] };
	const nullParents: IDataObject = { o: null, list: null };
	return [{ json: full }, { json: missing }, { json: nullParents }, { json: { o: 'text' } }];
}

const PATHS = [
	'={{ $json.v }}',
	'={{$json.o.k}}',
	'={{ $json["s p"] }}',
	"={{ $json['list'][0] }}",
	'={{ $json.list[1] }}',
	'={{ $json.caller }}',
	'={{ $json.list[00] }}',
];
const TEMPLATES = [
	'=s3://nucleus-images/{{ $json.Key }}',
	'={{ $json.v }}.jpg',
	'= {{ $json.v }}',
	'={{ $json.v }}{{ $json.w }}',
	'=a {{ $json.o.k }} b {{ $json["s p"] }} c',
	'=x/{{ $json.list[0] }}/{{ $json.list[1] }}',
	'=t/{{ $json.caller }}',
	'=a.constructor/{{ $json.v }}',
	'=line\nbreak "{{ $json.v }}"',
	'=\\{{ $json.v }}',
	'={{ $json.v }}}',
	'={ {{ $json.v }}',
	'=plain text',
];
const METHODS = [
	"={{ $json.Key.split('/')[1] }}",
	"={{ $json.v.split('/', 2)[0] }}",
	"={{ $json.ETag.replaceAll('\"', '') }}",
	"={{ $json.v.replace('a', '$&$&') }}",
	'={{ $json.v.trim().toUpperCase() }}',
	'={{ $json.o.k.toLowerCase() }}',
	'={{ $json.v.slice(-3) }}',
	'={{ $json.v.substring(1, 4) }}',
	"=img/{{ $json.v.split('.')[0] }}.png",
];
const GENERAL = [
	'={{ $json.v ?? "none" }}',
	'={{ $json.v.length }}',
	'={{ $json.v.toString() }}',
	'={{ $json.o }}',
	'={{ $parameter["&key"] }}',
];

/** The parameter sets to compare: each expression as Image URL, Reference ID and a Fields Below value. */
function parameterSets(): INodeParameters[] {
	const sets: INodeParameters[] = [];
	for (const expression of [...PATHS, ...TEMPLATES, ...METHODS, ...GENERAL]) {
		sets.push({
			imageUrl: expression,
			referenceId: expression,
			metadataMode: 'fields',
			metadataFields: {
				field: [
					{ key: 'a', value: expression },
					{ key: 'constant', value: 'same' },
					{ key: '={{ "k" }}', value: '=s3://b/{{ $json.w }}' },
				],
			},
		});
	}
	// Example 07's parameters together.
	sets.push({
		imageUrl: '=s3://nucleus-images/{{ $json.Key }}',
		referenceId: '={{ $json.Key }}',
		metadataMode: 'fields',
		metadataFields: {
			field: [
				{ key: 'folder', value: "={{ $json.Key.split('/')[1] }}" },
				{ key: 's3_key', value: '={{ $json.Key }}' },
				{ key: 'etag', value: "={{ $json.ETag.replaceAll('\"', '') }}" },
			],
		},
	});
	return sets;
}

type Outcome = { value: unknown } | { error: string };

function outcome(read: () => unknown): Outcome {
	try {
		return { value: read() };
	} catch (error) {
		return { error: error instanceof Error ? error.message : String(error) };
	}
}

interface Comparison {
	parameter: string;
	itemIndex: number;
	reader: Outcome;
	n8n: Outcome;
}

const NAMES = ['imageUrl', 'referenceId', 'metadataFields.field'];
/** The item as Append's checks see it: a valid item or the problem (its message names item and field). */
const CHECKED = 'checkItems';

/**
 * `ctx` with every raw value that holds an expression shown as one the reader cannot read itself, so
 * a reader on it plans every such parameter as "n8n evaluates it for each item" (n8n still evaluates
 * the real value: only the raw read used for planning is changed).
 */
function evaluatedByN8n(ctx: IExecuteFunctions): IExecuteFunctions {
	return new Proxy(ctx, {
		get: (target, key) => {
			const member = Reflect.get(target, key, target) as unknown;
			if (key !== 'getNodeParameter' || typeof member !== 'function') return member;
			return (...args: unknown[]) => {
				const value = (member as (...a: unknown[]) => unknown).apply(target, args);
				const options = args[3] as { rawExpressions?: boolean } | undefined;
				return options?.rawExpressions && hasExpression(value) ? '={{ n8n only }}' : value;
			};
		},
	});
}

/** The node's own parameters, with an execute() that reads each one both ways. */
function probeNode(found: Comparison[], evaluations: { count: number }): INodeType {
	const { description } = new ScaleNucleus();
	return {
		description: { ...description, name: 'parameterProbe' },
		async execute(this: IExecuteFunctions) {
			const items = this.getInputData();
			// Counts n8n's evaluations made on the reader's behalf.
			const counted = new Proxy(this, {
				get: (target, key) => {
					const member = Reflect.get(target, key, target) as unknown;
					if (typeof member !== 'function') return member;
					return (...args: unknown[]) => {
						if (key === 'evaluateExpression') evaluations.count++;
						const options = args[3] as { rawExpressions?: boolean } | undefined;
						if (key === 'getNodeParameter' && !options?.rawExpressions) evaluations.count++;
						return (member as (...a: unknown[]) => unknown).apply(target, args);
					};
				},
			});
			const reader = new ItemParameters(counted, items);
			const readerChecked = checkItems(readItems(counted, items, 'remote'), items);
			const n8nChecked = checkItems(readItems(evaluatedByN8n(this), items, 'remote'), items);
			for (let i = 0; i < items.length; i++) {
				for (const name of NAMES) {
					found.push({
						parameter: name,
						itemIndex: i,
						reader: outcome(() => reader.get(name, i, '')),
						n8n: outcome(() => this.getNodeParameter(name, i, '')),
					});
				}
				found.push({
					parameter: CHECKED,
					itemIndex: i,
					reader: outcome(() => readerChecked(i)),
					n8n: outcome(() => n8nChecked(i)),
				});
			}
			return [[{ json: {} }]];
		},
	};
}

async function compare(parameters: INodeParameters, input: INodeExecutionData[]) {
	const found: Comparison[] = [];
	const evaluations = { count: 0 };
	await runNode({
		node: probeNode(found, evaluations),
		parameters: {
			resource: 'datasetItem',
			operation: 'append',
			mode: 'remote',
			datasetId: rl('ds_probe'),
			...parameters,
		},
		input,
	});
	return { found, evaluations: evaluations.count };
}

describe('per-item parameter reads agree with n8n', () => {
	test('the node declares no validateType, which the reader relies on', () => {
		const walk = (properties: INodeProperties[]): string[] =>
			properties.flatMap((property) => [
				...(property.validateType ? [property.name] : []),
				...(
					(property.options ?? []) as Array<INodeProperties | { values?: INodeProperties[] }>
				).flatMap((option) =>
					'values' in option && option.values
						? walk(option.values)
						: 'type' in option
							? walk([option as INodeProperties])
							: [],
				),
			]);
		assert.deepEqual(walk(new ScaleNucleus().description.properties), []);
	});

	const input = VALUES.flatMap(([, value]) => itemsFor(value));
	const labelOf = (itemIndex: number) => VALUES[Math.floor(itemIndex / 4)][0];
	for (const parameters of parameterSets()) {
		const expression = JSON.stringify(parameters.imageUrl);
		test(`${expression} and Fields Below holding it, on every kind of value`, async () => {
			const { found } = await compare(parameters, input);
			assert.equal(found.length, input.length * (NAMES.length + 1));
			for (const c of found) {
				const where = `${c.parameter}, item ${c.itemIndex} (${labelOf(c.itemIndex)})`;
				assert.deepStrictEqual(c.reader, c.n8n, where);
			}
		});
	}

	test("example 07's parameters are read without n8n's evaluator, other leaves one by one", async () => {
		const input = Array.from({ length: 20 }, (_, i) => ({
			json: { Key: `images/f${i % 3}/img-${i}.jpg`, ETag: `"etag${i}"` },
		}));
		const last = parameterSets().at(-1) as INodeParameters;
		const { found, evaluations } = await compare(last, input);
		assert.ok(found.every((c) => 'value' in c.reader));
		assert.ok(
			found.every(
				(c) => c.parameter !== CHECKED || !isProblem((c.reader as { value: object }).value),
			),
		);
		const metadata = found.find((c) => c.parameter === 'metadataFields.field' && c.itemIndex === 4);
		// Each row also holds its Type, whose default (String) n8n fills in as it does for any field.
		assert.deepStrictEqual(metadata?.reader, {
			value: [
				{ key: 'folder', type: 'string', value: 'f1' },
				{ key: 's3_key', type: 'string', value: 'images/f1/img-4.jpg' },
				{ key: 'etag', type: 'string', value: 'etag4' },
			],
		});
		// Only the constants (Dataset, Metadata, Options) are evaluated, once for all items.
		assert.equal(evaluations, 3);

		// One leaf that only n8n evaluates: evaluated on its own, once per read of the fields (the
		// test reads them, then the check does), not with its siblings.
		const fields = last.metadataFields as { field: Array<{ key: string; value: string }> };
		const oneGeneral = {
			...last,
			metadataFields: { field: [...fields.field, { key: 'x', value: "={{ $json.Key ?? '' }}" }] },
		};
		const again = await compare(oneGeneral, input);
		assert.ok(again.found.every((c) => 'value' in c.reader));
		assert.equal(again.evaluations, input.length * 2 + 3);
	});
});
