/**
 * nodes/shared/parameters/jsonTemplate.ts: which parameter values are read from the item's JSON, and
 * their values. Whether those values are n8n's is tested against n8n itself in
 * test/integration/parameter-reads.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
	hasExpression,
	lookupPath,
	MISS,
	planDirectRead,
	readDirect,
} from '../../nodes/shared/parameters/jsonTemplate';

const json = {
	Key: 'images/cats/img-1.jpg',
	ETag: '"abc"',
	n: 3,
	z: -0,
	t: false,
	o: { k: 'v' },
	'file name': 'a b',
	list: ['p', 'q'],
	nul: null,
	inf: Infinity,
	name: '  Mixed Case  ',
};

describe('values read from the item', () => {
	const cases: Array<[string, unknown]> = [
		['={{ $json.Key }}', 'images/cats/img-1.jpg'],
		['={{$json.o.k}}', 'v'],
		['={{ $json["file name"] }}', 'a b'],
		["={{ $json['list'][1] }}", 'q'],
		['={{ $json.n }}', 3],
		['={{ $json.t }}', false],
		["={{ $json.Key.split('/')[1] }}", 'cats'],
		["={{ $json.Key.split('/', 2)[1] }}", 'cats'],
		["={{ $json.ETag.replaceAll('\"', '') }}", 'abc'],
		["={{ $json.Key.replace('i', 'I') }}", 'Images/cats/img-1.jpg'],
		['={{ $json.name.trim().toLowerCase() }}', 'mixed case'],
		['={{ $json.Key.slice(-5) }}', '1.jpg'],
		['={{ $json.Key.substring(0, 6) }}', 'images'],
		['=s3://nucleus-images/{{ $json.Key }}', 's3://nucleus-images/images/cats/img-1.jpg'],
		['={{ $json.n }}.jpg', '3.jpg'],
		['={{ $json.z }}|{{ $json.t }}', '0|false'],
		['= {{ $json.o.k }}', ' v'],
		['={{ $json.o.k }}{{ $json.n }}', 'v3'],
		["=x/{{ $json.Key.split('/')[1] }}/y", 'x/cats/y'],
		['=line\nbreak "{{ $json.o.k }}"', 'line\nbreak "v"'],
	];
	for (const [value, expected] of cases) {
		test(value, () => {
			const read = planDirectRead(value);
			assert.ok(read, 'read directly');
			assert.deepStrictEqual(readDirect(read, json), expected);
		});
	}
});

describe('values left to n8n for some items', () => {
	const cases: Array<[string, object]> = [
		['={{ $json.missing }}', json],
		['={{ $json.nul }}', json],
		['={{ $json.inf }}', json],
		['={{ $json.o }}', json],
		['={{ $json.list }}', json],
		['={{ $json.o.k.x }}', json],
		['={{ $json.toString }}', json],
		["={{ $json.n.split('/')[0] }}", json],
		["={{ $json.Key.split('/')[9] }}", json],
		['=s3://b/{{ $json.missing }}', json],
		['=s3://b/{{ $json.nul }}', json],
	];
	for (const [value, item] of cases) {
		test(value, () => {
			const read = planDirectRead(value);
			assert.ok(read, 'planned');
			assert.equal(readDirect(read, item), MISS);
		});
	}
});

describe('values only n8n evaluates', () => {
	for (const value of [
		'={{ $json.a + 1 }}',
		'={{ $json[a] }}',
		'={{ $json }}',
		'={{ $("Node").item.json.a }}',
		'={{ $json.__proto__ }}',
		'={{ $json.caller }}',
		'={{ $json["prototype"] }}',
		'={{ $json.constructor.name }}',
		'=a.constructor/{{ $json.a }}',
		'={{ $json["a\\"b"] }}',
		'={{ $json.list[01] }}',
		'={{ $json.list[-1] }}',
		'={{ $json.list[1.5] }}',
		'={{ $json.list[12345678901234567] }}',
		'={{ $json.a?.b }}',
		'={{ $json.a.toDate() }}',
		'={{ $json.a.toString() }}',
		'={{ $json.a.hash() }}',
		"={{ $json.a.split('/') }}",
		"={{ $json.a.split('/')[0].x }}",
		'={{ $json.a.split(x)[0] }}',
		"={{ $json.a.replace('(', '') }}",
		"={{ $json.a.replace('a') }}",
		"={{ $json.a.trim('x') }}",
		'={{ $json.a.slice(1.5) }}',
		'={{ $json.a.trim().trim().trim().trim().trim() }}',
		'=\\{{ $json.a }}',
		'={ {{ $json.a }}',
		'={{ $json.a }}}',
		'={{ $json.a /* note */ }}',
		'={{ $json.a }',
		'={{ 1 }}',
		'=plain text',
		'{{ $json.a }}',
		'$json.a',
		42,
		undefined,
	]) {
		test(String(value), () => assert.equal(planDirectRead(value), undefined));
	}
});

test('lookups follow own properties only and end at strings, finite numbers and booleans', () => {
	assert.equal(lookupPath(json, ['o', 'k']), 'v');
	assert.ok(Object.is(lookupPath(json, ['z']), -0));
	for (const keys of [['missing'], ['nul'], ['o'], ['list'], ['toString'], ['inf'], ['n', 'x']]) {
		assert.equal(lookupPath(json, keys), MISS, keys.join('.'));
	}
});

test('expressions are found at any depth of a parameter value', () => {
	assert.equal(hasExpression('plain'), false);
	assert.equal(hasExpression({ a: ['x', { b: 1 }] }), false);
	assert.equal(hasExpression({ a: ['x', { b: '={{ 1 }}' }] }), true);
	assert.equal(hasExpression('={{ 1 }}'), true);
});
