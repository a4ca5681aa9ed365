import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IExecuteFunctions, IGetNodeParameterOptions, INodeExecutionData } from 'n8n-workflow';

import { ItemParameters } from '../../nodes/ScaleNucleus/actions/datasetItem/shared/itemParameters';

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
			if (typeof raw === 'string' && raw.startsWith('=')) {
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
		const { ctx, calls } = fakeContext({ imageUrl: '=s3://b/{{ $json.n + 1 }}.jpg' }, items);
		const p = new ItemParameters(ctx, items);
		for (let i = 0; i < 3; i++) p.get('imageUrl', i, '');
		assert.deepEqual(calls, ['imageUrl#0', 'imageUrl#1', 'imageUrl#2']);
	});

	test('a template of text and $json paths is read from each item; misses go to n8n', () => {
		const { ctx, calls } = fakeContext({ imageUrl: '=s3://b/{{ $json.n }}.jpg' }, items);
		const p = new ItemParameters(ctx, items);
		assert.equal(p.get('imageUrl', 0, ''), 's3://b/1.jpg');
		assert.equal(p.get('imageUrl', 2, ''), 's3://b/3.jpg');
		const missing = [{ json: {} }];
		const q = new ItemParameters(
			fakeContext({ imageUrl: '=s3://b/{{ $json.n }}' }, missing).ctx,
			missing,
		);
		assert.throws(() => q.get('imageUrl', 0, ''), /cannot evaluate/);
		assert.deepEqual(calls, []);
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
