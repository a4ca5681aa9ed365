/** The metadata rules, copying (datasetItem/validate/metadata.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { normalizeMetadata } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/metadata';
import { isProblem } from '../../nodes/ScaleNucleus/actions/datasetItem/validate/problem';

import { expectProblem } from './expect-problem';

describe('normalizeMetadata', () => {
	test('accepts plain objects with nested objects and arrays, returning a JSON-safe copy', () => {
		const input = { a: 1, b: 'x', c: true, d: null, e: { f: [1, 'two', { g: 3 }] }, h: -0.5 };
		const out = normalizeMetadata(input, 0);
		assert.ok(!isProblem(out));
		assert.deepEqual(out, input);
		assert.notEqual(out, input);
	});

	test('Dates become ISO strings; undefined is dropped from objects and null in arrays', () => {
		const out = normalizeMetadata(
			{ when: new Date('2024-01-02T03:04:05.000Z'), gone: undefined, list: [1, undefined] },
			0,
		);
		assert.deepEqual(out, { when: '2024-01-02T03:04:05.000Z', list: [1, null] });
	});

	test('objects with toJSON (e.g. Luxon DateTime) use their JSON form', () => {
		const dt = { toJSON: () => '2024-05-06T00:00:00.000+00:00', year: 2024 };
		assert.deepEqual(normalizeMetadata({ at: dt }, 0), { at: '2024-05-06T00:00:00.000+00:00' });
	});

	test('an array, a string, null, a number are not metadata objects', () => {
		expectProblem(
			normalizeMetadata([1, 2], 2),
			2,
			'Metadata',
			/must be an object, but got an array/,
		);
		const s = expectProblem(
			normalizeMetadata('{"a":1}', 3),
			3,
			'Metadata',
			/must be an object, but got a string/,
		);
		assert.match(s.description!, /JSON/);
		expectProblem(normalizeMetadata(null, 0), 0, 'Metadata', /got null/);
		expectProblem(normalizeMetadata(undefined, 0), 0, 'Metadata', /got nothing/);
		expectProblem(normalizeMetadata(5, 0), 0, 'Metadata', /a number/);
		expectProblem(normalizeMetadata(new Date(), 0), 0, 'Metadata', /a date/);
	});

	test('NaN and ±Infinity are rejected with the key path', () => {
		const p = expectProblem(normalizeMetadata({ score: NaN }, 2), 2, 'Metadata');
		assert.equal(
			p.message,
			"Item 2: Metadata field 'score' is NaN; Nucleus only accepts finite numbers",
		);
		expectProblem(
			normalizeMetadata({ a: { b: [0, Infinity] } }, 1),
			1,
			'Metadata',
			/field 'a\.b\[1\]' is Infinity/,
		);
		expectProblem(
			normalizeMetadata({ 'x y': -Infinity }, 0),
			0,
			'Metadata',
			/field '\["x y"\]' is -Infinity/,
		);
	});

	test('BigInt, functions and symbols are rejected', () => {
		expectProblem(normalizeMetadata({ big: 10n }, 0), 0, 'Metadata', /field 'big' is a BigInt/);
		expectProblem(normalizeMetadata({ fn: () => 1 }, 0), 0, 'Metadata', /field 'fn' is a function/);
		expectProblem(normalizeMetadata({ s: Symbol('x') }, 0), 0, 'Metadata', /field 's' is a symbol/);
		expectProblem(normalizeMetadata({ m: new Map() }, 0), 0, 'Metadata', /field 'm' is a Map/);
		expectProblem(
			normalizeMetadata({ b: Buffer.from('x') }, 0),
			0,
			'Metadata',
			/field 'b' is binary data/,
		);
	});

	test('circular references are rejected; shared (non-circular) references are fine', () => {
		const a: Record<string, unknown> = { name: 'a' };
		a.self = a;
		expectProblem(
			normalizeMetadata({ a }, 4),
			4,
			'Metadata',
			/field 'a\.self' is a circular reference/,
		);
		const arr: unknown[] = [];
		arr.push(arr);
		expectProblem(normalizeMetadata({ arr }, 0), 0, 'Metadata', /circular/);
		const shared = { v: 1 };
		assert.deepEqual(normalizeMetadata({ x: shared, y: shared }, 0), { x: { v: 1 }, y: { v: 1 } });
	});

	test('very deep nesting is a problem, not a crash', () => {
		let deep: Record<string, unknown> = {};
		const root = deep;
		for (let i = 0; i < 200; i++) {
			const next: Record<string, unknown> = {};
			deep.n = next;
			deep = next;
		}
		expectProblem(normalizeMetadata(root, 0), 0, 'Metadata', /nested more than/);
	});

	test('a "__proto__" key stays plain data and does not change the prototype', () => {
		const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<
			string,
			unknown
		>;
		const out = normalizeMetadata(input, 0) as Record<string, unknown>;
		assert.equal(Object.getPrototypeOf(out), Object.prototype);
		assert.equal((out as { polluted?: boolean }).polluted, undefined);
		assert.equal(JSON.stringify(out), '{"__proto__":{"polluted":true},"a":1}');
	});

	test('user metadata with problem-like keys is not mistaken for a problem', () => {
		const out = normalizeMetadata({ itemIndex: 1, field: 'x', message: 'hello' }, 0);
		assert.equal(isProblem(out), false);
	});
});
