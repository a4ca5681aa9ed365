import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';

import {
	hasExpression,
	ItemParameters,
	lookupPath,
	parseJsonPathExpression,
} from '../../nodes/ScaleNucleus/actions/datasetItem/shared/itemParameters';

describe('simple $json path expressions', () => {
	test('dot and bracket paths are recognised with their keys', () => {
		assert.deepEqual(parseJsonPathExpression('={{ $json.reference_id }}'), ['reference_id']);
		assert.deepEqual(parseJsonPathExpression('={{$json.a.b}}'), ['a', 'b']);
		assert.deepEqual(parseJsonPathExpression('={{ $json["file name"] }}'), ['file name']);
		assert.deepEqual(parseJsonPathExpression("={{ $json['x'][0].y }}"), ['x', '0', 'y']);
		assert.deepEqual(parseJsonPathExpression('={{ $json.$id }}'), ['$id']);
	});

	test('anything more than a path is left to n8n', () => {
		for (const value of [
			'={{ $json.a }}.jpg',
			'=img-{{ $json.a }}',
			'={{ $json.a + 1 }}',
			'={{ $json.a }} {{ $json.b }}',
			'={{ $json.a.toUpperCase() }}',
			'={{ $json[a] }}',
			'={{ $json }}',
			'={{ $("Node").item.json.a }}',
			'={{ $json.__proto__ }}',
			'={{ $json.constructor.name }}',
			'={{ $json["a\\"b"] }}',
			'{{ $json.a }}',
			'$json.a',
			42,
			undefined,
		]) {
			assert.equal(parseJsonPathExpression(value), undefined, String(value));
		}
	});

	test('lookups follow own properties only and return only strings, finite numbers and booleans', () => {
		const json = { a: { b: 'x' }, n: 3, t: true, z: null, o: {}, list: ['p'], inf: Infinity };
		assert.equal(lookupPath(json, ['a', 'b']), 'x');
		assert.equal(lookupPath(json, ['n']), 3);
		assert.equal(lookupPath(json, ['t']), true);
		assert.equal(lookupPath(json, ['list', '0']), 'p');
		for (const keys of [['missing'], ['z'], ['o'], ['a'], ['a', 'b', 'c'], ['toString'], ['inf']]) {
			assert.equal(typeof lookupPath(json, keys), 'symbol', keys.join('.'));
		}
	});

	test('expressions are found at any depth of a parameter value', () => {
		assert.equal(hasExpression('plain'), false);
		assert.equal(hasExpression({ a: ['x', { b: 1 }] }), false);
		assert.equal(hasExpression({ a: ['x', { b: '={{ 1 }}' }] }), true);
		assert.equal(hasExpression('={{ 1 }}'), true);
	});
});

/** A stand-in for n8n's context: raw parameters plus an "evaluator" that counts its calls. */
function fakeContext(parameters: Record<string, unknown>, items: INodeExecutionData[]) {
	const calls: string[] = [];
	const ctx = {
		getNodeParameter(
			name: string,
			itemIndex: number,
			fallback?: unknown,
			options?: IGetNodeParameterOptions,
		) {
			const raw = name in parameters ? parameters[name] : fallback;
			if (options?.rawExpressions) return raw;
			calls.push(`${name}#${itemIndex}`);
			if (typeof raw === 'string' && raw.startsWith('={{')) {
				// Enough of an evaluator for the test: `$json.<key>` of the item, or a thrown error.
				const key = /\$json\.(\w+)/.exec(raw)?.[1];
				const value = key ? items[itemIndex].json[key] : undefined;
				if (value === undefined) throw new Error(`cannot evaluate ${raw} for item ${itemIndex}`);
				return value;
			}
			return raw;
		},
	} as unknown as IExecuteFunctions;
	return { ctx, calls };
}

describe('ItemParameters', () => {
	const items: INodeExecutionData[] = [
		{ json: { ref: 'a', n: 1 } },
		{ json: { ref: 'b', n: 2 } },
		{ json: { n: 3 } },
		{ json: { ref: { nested: true } } },
	];

	test('a parameter without expressions is evaluated once for all items', () => {
		const { ctx, calls } = fakeContext({ mode: 'local', options: { width: 5 } }, items);
		const p = new ItemParameters(ctx, items);
		for (let i = 0; i < items.length; i++) {
			assert.equal(p.get('mode', i, 'remote'), 'local');
			assert.deepEqual(p.get('options', i, {}), { width: 5 });
		}
		assert.deepEqual(calls, ['mode#0', 'options#0']);
	});

	test('a $json path is read from each item without evaluation; misses go to n8n with their errors', () => {
		const { ctx, calls } = fakeContext({ referenceId: '={{ $json.ref }}' }, items);
		const p = new ItemParameters(ctx, items);
		assert.equal(p.get('referenceId', 0, ''), 'a');
		assert.equal(p.get('referenceId', 1, ''), 'b');
		assert.throws(() => p.get('referenceId', 2, ''), /cannot evaluate/);
		assert.deepEqual(p.get('referenceId', 3, ''), { nested: true });
		assert.deepEqual(calls, ['referenceId#2', 'referenceId#3']);
	});

	test('other expressions are evaluated by n8n for every item', () => {
		const { ctx, calls } = fakeContext({ imageUrl: '=s3://b/{{ $json.n }}.jpg' }, items);
		const p = new ItemParameters(ctx, items);
		for (let i = 0; i < 3; i++) p.get('imageUrl', i, '');
		assert.deepEqual(calls, ['imageUrl#0', 'imageUrl#1', 'imageUrl#2']);
	});

	test('a parameter missing without a fallback throws like getNodeParameter', () => {
		const ctx = {
			getNodeParameter(name: string) {
				throw new Error(`Could not get parameter "${name}"`);
			},
		} as unknown as IExecuteFunctions;
		assert.throws(
			() => new ItemParameters(ctx, items).get('nope', 0, undefined),
			/Could not get parameter "nope"/,
		);
	});
});
