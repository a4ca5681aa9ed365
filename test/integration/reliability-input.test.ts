/**
 * Bad-input matrix through the real node (n8n-core ExecuteContext, emulator over a socket).
 *
 * Every case runs [good item, BAD item, good item] with On Error "Continue (using error output)":
 * the bad item is on the error output, paired to input 1, with a message that starts with
 * "Item 1:" and names the field; NO request carries it (the emulator's received-item and request
 * counters move only by the good items); the two good items are appended.
 *
 * How odd values reach the node in a real n8n:
 * - NaN / Infinity / BigInt / circular metadata: from an expression in the Metadata (JSON)
 *   parameter (`{{ { score: parseFloat($json.x) } }}`, `{{ $json.a / $json.b }}`,
 *   `{{ BigInt(...) }}`), or in the item's own json when "All Other Fields" is chosen and an earlier
 *   node produced such values in memory (e.g. a Code node run in-process, or another community
 *   node): items are plain JS objects handed from node to node within one execution.
 * - "not readable" files: tests run as root, and permission bits do not stop root (chmod 000 is
 *   still readable). What is tested instead: a FIFO (n8n would block forever opening it), a
 *   directory, a missing file, an empty file, a path outside N8N_RESTRICT_FILE_ACCESS_TO; and a
 *   chmod 000 file, whose outcome depends on the user (root: appended; others: refused).
 *
 * Credential problems are in reliability-credentials.test.ts. Longer than most files on purpose: the
 * matrix is one table of bad-input cases run by one runner (runCase) over one set of prepared files;
 * the cases read best side by side, and a second file would repeat that set-up.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { makeBinaryItem } from '../harness';
import { appendParams, json, pairedIndex, runScale } from './reliability-common';

let emu: Emulator;
let dir: string;
let allowed: string;
let outside: string;

before(async () => {
	emu = await startEmulator();
	dir = await mkdtemp(join(tmpdir(), 'nucleus-badinput-'));
	allowed = join(dir, 'allowed');
	outside = join(dir, 'outside');
	await mkdir(join(allowed, 'a-directory'), { recursive: true });
	await mkdir(outside, { recursive: true });
	await writeFile(join(allowed, 'good.jpg'), Buffer.from('good image bytes'));
	await writeFile(join(allowed, 'empty.jpg'), Buffer.alloc(0));
	await writeFile(join(outside, 'secret.jpg'), Buffer.from('outside'));
	execFileSync('mkfifo', [join(allowed, 'pipe.jpg')]);
});
after(async () => {
	await emu.close();
	await rm(dir, { recursive: true, force: true });
});

type Mode = 'remote' | 'binary' | 'path';

interface CaseContext {
	/** Unique per case; good items are `${tag}-good-0` and `${tag}-good-2`. */
	tag: string;
	/** The case's dataset. */
	ds: string;
}

interface BadCase {
	name: string;
	/** The field the message must name. */
	field: string;
	message: RegExp;
	/** Fields merged over a good item's json to make the bad item. */
	bad?: Record<string, unknown> | ((ctx: CaseContext) => Record<string, unknown>);
	/** Or the whole bad item. */
	badItem?: (ctx: CaseContext) => Promise<INodeExecutionData>;
	params?: INodeParameters;
	mode?: Mode;
}

let caseCounter = 0;

async function goodItem(
	mode: Mode,
	tag: string,
	position: number,
	datasetId: string,
): Promise<INodeExecutionData> {
	const base = {
		ref: `${tag}-good-${position}`,
		ds: datasetId,
		meta: { camera: 'front', position },
	};
	if (mode === 'binary')
		return await makeBinaryItem(
			Buffer.from(`image ${tag} ${position}`),
			`${position}.jpg`,
			'image/jpeg',
			base,
		);
	if (mode === 'path') return json({ ...base, path: join(allowed, 'good.jpg') });
	return json({ ...base, url: `s3://bucket/${tag}/${position}.jpg` });
}

function modeParams(mode: Mode): INodeParameters {
	if (mode === 'binary')
		return { mode: 'local', imageSource: 'binary', binaryPropertyName: 'data' };
	if (mode === 'path') return { mode: 'local', imageSource: 'path', filePath: '={{ $json.path }}' };
	return { waitForCompletion: true, options: { pollInterval: 0.1 } };
}

/** Runs [good, bad, good] and checks the promises of the matrix; returns the bad item's error item. */
async function runCase(c: BadCase): Promise<INodeExecutionData> {
	const mode = c.mode ?? 'remote';
	const tag = `case${++caseCounter}`;
	const ds = emu.createDataset(tag);
	const first = await goodItem(mode, tag, 0, ds);
	const last = await goodItem(mode, tag, 2, ds);
	const middle = await goodItem(mode, tag, 1, ds);
	const ctx: CaseContext = { tag, ds };
	const bad = c.badItem
		? await c.badItem(ctx)
		: (() => {
				const extra = typeof c.bad === 'function' ? c.bad(ctx) : (c.bad ?? {});
				return { ...middle, json: { ...middle.json, ...extra } as IDataObject };
			})();
	const before = emu.stats();
	const { output } = await runScale(
		emu,
		{
			...appendParams(ds, { ...modeParams(mode), ...c.params }),
			datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
		},
		[first, bad, last],
		{ onError: 'continueErrorOutput', env: { N8N_RESTRICT_FILE_ACCESS_TO: allowed } },
	);
	const afterStats = emu.stats();
	const [ok, errors] = output;

	assert.equal(
		errors.length,
		1,
		`one error item (got ${JSON.stringify(errors.map((e) => e.json.error))})`,
	);
	const error = errors[0];
	assert.equal(pairedIndex(error), 1, 'the error item is paired to the bad input');
	const text = String(error.json.error);
	assert.ok(text.startsWith('Item 1: '), `the message names the item: ${text}`);
	assert.ok(text.includes(c.field), `the message names the field "${c.field}": ${text}`);
	assert.match(text, c.message);

	assert.deepEqual(ok.map(pairedIndex), [0, 2], 'the good items are on the success output');
	assert.ok(ok.every((item) => item.json.outcome === 'appended'));
	assert.deepEqual(
		emu
			.listItems(ds)
			.map((item) => item.reference_id)
			.sort(),
		[`${tag}-good-0`, `${tag}-good-2`],
		'exactly the good items are in the dataset',
	);
	// Remote: one job for the good items; local: one batch of images (up to 10 per request).
	assert.equal(
		afterStats.appendRequests - before.appendRequests,
		1,
		'one request, for the good items',
	);
	assert.equal(
		afterStats.appendItemsReceived - before.appendItemsReceived,
		2,
		'no request carried the bad item',
	);
	if (mode !== 'remote') assert.equal(afterStats.imagesReceived - before.imagesReceived, 2);
	return error;
}

function circular(): Record<string, unknown> {
	const info: Record<string, unknown> = { camera: 'front' };
	info.self = info;
	return { info };
}

const jsonMeta = { metadataMode: 'json', metadataJson: '={{ $json.meta }}' };
const allFields = { metadataMode: 'allFields', excludeFields: 'ref, url, ds, path' };

const cases: BadCase[] = [
	// Reference ID
	{
		name: 'reference_id missing',
		field: 'Reference ID',
		message: /Reference ID is missing/,
		bad: { ref: undefined },
	},
	{
		name: 'reference_id null',
		field: 'Reference ID',
		message: /Reference ID is missing/,
		bad: { ref: null },
	},
	{
		name: 'reference_id empty',
		field: 'Reference ID',
		message: /Reference ID is empty/,
		bad: { ref: '' },
	},
	{
		name: 'reference_id whitespace only',
		field: 'Reference ID',
		message: /Reference ID is empty/,
		bad: { ref: '   ' },
	},
	{
		name: 'reference_id an object',
		field: 'Reference ID',
		message: /must be text, but got an object/,
		bad: { ref: { id: 7 } },
	},
	{
		name: 'reference_id a boolean',
		field: 'Reference ID',
		message: /must be text, but got a boolean \(true\)/,
		bad: { ref: true },
	},
	{
		name: 'reference_id a fractional number',
		field: 'Reference ID',
		message: /must be text, but got a number \(1\.5\)/,
		bad: { ref: 1.5 },
	},
	{
		name: 'reference_id duplicate of item 0',
		field: 'Reference ID',
		message: /Reference ID 'case\d+-good-0' is already used by item 0/,
		bad: ({ tag }) => ({ ref: `${tag}-good-0` }),
	},
	// Image URL
	{
		name: 'URL ftp://',
		field: 'Image URL',
		message: /unsupported scheme 'ftp:\/\/'/,
		bad: { url: 'ftp://files.example.com/a.jpg' },
	},
	{
		name: 'URL gcs://',
		field: 'Image URL',
		message: /gcs:\/\/.*use gs:\/\//,
		bad: { url: 'gcs://bucket/a.jpg' },
	},
	{
		name: 'URL file:///etc/passwd',
		field: 'Image URL',
		message: /local file URL/,
		bad: { url: 'file:///etc/passwd' },
	},
	{ name: 'URL empty', field: 'Image URL', message: /Image URL is empty/, bad: { url: '' } },
	{
		name: 'URL missing',
		field: 'Image URL',
		message: /Image URL is (missing|empty)/,
		bad: { url: undefined },
	},
	{
		name: 'URL relative',
		field: 'Image URL',
		message: /'images\/a\.jpg' is not a URL/,
		bad: { url: 'images/a.jpg' },
	},
	{
		name: 'URL absolute path',
		field: 'Image URL',
		message: /'\/srv\/a\.jpg' is not a URL/,
		bad: { url: '/srv/a.jpg' },
	},
	{
		name: 'URL without host',
		field: 'Image URL',
		message: /'http:\/\/' is not a valid URL/,
		bad: { url: 'http://' },
	},
	{
		name: 'URL s3 bucket without key',
		field: 'Image URL',
		message: /names a bucket but no image/,
		bad: { url: 's3://bucket' },
	},
	{
		name: 'URL with a space',
		field: 'Image URL',
		message: /contains whitespace/,
		bad: { url: 'https://example.com/my cat.jpg' },
	},
	// Metadata
	{
		name: 'metadata an array (JSON)',
		field: 'Metadata',
		message: /must be an object, but got an array/,
		params: jsonMeta,
		bad: { meta: [1, 2] },
	},
	{
		name: 'metadata a string (JSON)',
		field: 'Metadata',
		message: /Metadata is not valid JSON/,
		params: jsonMeta,
		bad: { meta: 'just text' },
	},
	{
		name: 'metadata a JSON string of a list',
		field: 'Metadata',
		message: /must be an object, but got an array/,
		params: jsonMeta,
		bad: { meta: '["a","b"]' },
	},
	{
		name: 'metadata NaN from an expression',
		field: 'Metadata',
		message: /Metadata field 'score' is NaN/,
		params: {
			metadataMode: 'json',
			metadataJson: '={{ { score: parseFloat($json.raw ?? "0.5") } }}',
		},
		bad: { raw: 'n/a' },
	},
	{
		name: 'metadata Infinity from an expression',
		field: 'Metadata',
		message: /Metadata field 'ratio' is Infinity/,
		params: {
			metadataMode: 'json',
			metadataJson: '={{ { ratio: ($json.a ?? 1) / ($json.b ?? 4) } }}',
		},
		bad: { a: 1, b: 0 },
	},
	{
		name: 'metadata -Infinity from an expression',
		field: 'Metadata',
		message: /Metadata field 'low' is -Infinity/,
		params: {
			metadataMode: 'json',
			metadataJson: '={{ { low: Math.max(...($json.values ?? [3, 4])) } }}',
		},
		bad: { values: [] },
	},
	{
		name: 'metadata BigInt from an expression',
		field: 'Metadata',
		message: /Metadata field 'big' is a BigInt/,
		params: { metadataMode: 'json', metadataJson: '={{ { big: $json.n ? BigInt($json.n) : 1 } }}' },
		bad: { n: '123456789012345678901234567890' },
	},
	{
		name: 'metadata circular from an expression (n8n cannot evaluate it)',
		field: 'Metadata',
		message: /could not evaluate Metadata \(JSON\)/,
		params: {
			metadataMode: 'json',
			metadataJson:
				'={{ $json.loop ? (() => { const o = { a: 1 }; o.self = o; return o; })() : {} }}',
		},
		bad: { loop: true },
	},
	{
		name: 'metadata NaN in the item (all fields)',
		field: 'Metadata',
		message: /Metadata field 'score' is NaN/,
		params: allFields,
		bad: { score: NaN },
	},
	{
		name: 'metadata Infinity in the item (all fields)',
		field: 'Metadata',
		message: /'deep\.ratio' is Infinity/,
		params: allFields,
		bad: { deep: { ratio: Infinity } },
	},
	{
		name: 'metadata BigInt in the item (all fields)',
		field: 'Metadata',
		message: /Metadata field 'big' is a BigInt/,
		params: allFields,
		bad: { big: 10n },
	},
	{
		name: 'metadata circular in the item (all fields)',
		field: 'Metadata',
		message: /'info\.self' is a circular reference/,
		params: allFields,
		bad: circular(),
	},
	// Width / Height (per item, from an expression)
	{
		name: 'width negative',
		field: 'Width',
		message: /Width must be a positive whole number, but -5 is negative/,
		params: { options: { width: '={{ $json.w }}' } },
		bad: { w: -5 },
	},
	{
		name: 'width zero',
		field: 'Width',
		message: /Width .* is zero/,
		params: { options: { width: '={{ $json.w }}' } },
		bad: { w: 0 },
	},
	{
		name: 'height fractional',
		field: 'Height',
		message: /Height must be a positive whole number, but 1\.5 has a fraction/,
		params: { options: { height: '={{ $json.h }}' } },
		bad: { h: 1.5 },
	},
	{
		name: 'height text',
		field: 'Height',
		message: /Height must be a positive whole number/,
		params: { options: { height: '={{ $json.h }}' } },
		bad: { h: 'tall' },
	},
	// Dataset
	{
		name: 'dataset id malformed',
		field: 'Dataset',
		message: /Dataset ID "not a dataset\/\.\.\/x" is not a Nucleus dataset ID/,
		bad: { ds: 'not a dataset/../x' },
	},
	// Binary data
	{
		name: 'binary property missing',
		field: 'Input Binary Field',
		message: /Input Binary Field "data" is not on the item/,
		mode: 'binary',
		badItem: async ({ tag, ds }) => json({ ref: `${tag}-bad`, ds }),
	},
	{
		name: 'binary under another property name',
		field: 'Input Binary Field',
		message: /Input Binary Field "data" is not on the item/,
		mode: 'binary',
		badItem: async ({ tag, ds }) =>
			await makeBinaryItem(
				Buffer.from('x'),
				'x.jpg',
				'image/jpeg',
				{ ref: `${tag}-bad`, ds },
				'photo',
			),
	},
	// Files
	{
		name: 'file missing',
		field: 'File Path',
		message: /cannot be used: does not exist/,
		mode: 'path',
		bad: () => ({ path: join(allowed, 'nope.jpg') }),
	},
	{
		name: 'file is a directory',
		field: 'File Path',
		message: /is not a regular file/,
		mode: 'path',
		bad: () => ({ path: join(allowed, 'a-directory') }),
	},
	{
		name: 'file is a FIFO (opening it would block)',
		field: 'File Path',
		message: /is not a regular file/,
		mode: 'path',
		bad: () => ({ path: join(allowed, 'pipe.jpg') }),
	},
	{
		name: 'file empty (0 bytes)',
		field: 'File Path',
		message: /is empty \(0 bytes\)/,
		mode: 'path',
		bad: () => ({ path: join(allowed, 'empty.jpg') }),
	},
	{
		name: 'file path empty',
		field: 'File Path',
		message: /File Path is empty/,
		mode: 'path',
		bad: { path: '' },
	},
	{
		name: 'file outside the allowed folder',
		field: 'File Path',
		message: /Access to the file is not allowed/,
		mode: 'path',
		bad: () => ({ path: join(outside, 'secret.jpg') }),
	},
];

describe('bad-input matrix: error item naming item and field, nothing sent for it, good items appended', () => {
	for (const c of cases) {
		test(c.name, { timeout: 30_000 }, async () => {
			await runCase(c);
		});
	}
});

describe('more input cases', () => {
	test('a whole-number reference_id is accepted as its decimal text (by design)', async () => {
		const ds = emu.createDataset('numeric-ref');
		const { output } = await runScale(
			emu,
			appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
			[json({ ref: 42, url: 's3://b/42.jpg' })],
			{
				onError: 'continueErrorOutput',
			},
		);
		assert.deepEqual(
			output[0].map((i) => [i.json.reference_id, i.json.outcome]),
			[['42', 'appended']],
		);
		assert.ok(emu.getItem(ds, '42'));
	});

	test('a file with no permissions (chmod 000): refused, unless n8n runs as root, whom permission bits do not stop', async () => {
		const ds = emu.createDataset('chmod-000');
		const locked = join(allowed, 'locked.jpg');
		await writeFile(locked, Buffer.from('locked bytes'));
		await chmod(locked, 0o000);
		const before = emu.stats().appendRequests;
		const { output } = await runScale(
			emu,
			appendParams(ds, { mode: 'local', imageSource: 'path', filePath: '={{ $json.path }}' }),
			[json({ ref: 'locked', path: locked })],
			{ onError: 'continueErrorOutput', env: { N8N_RESTRICT_FILE_ACCESS_TO: allowed } },
		);
		if (process.getuid?.() === 0) {
			assert.equal(output[0][0]?.json.outcome, 'appended', 'root reads a chmod 000 file');
			assert.equal(emu.getItem(ds, 'locked')?.image?.bytes, 12);
		} else {
			assert.match(
				String(output[1][0]?.json.error),
				/Item 0: File Path .* cannot be used: is not readable/,
			);
			assert.equal(emu.stats().appendRequests, before, 'nothing was sent');
		}
	});

	test('an unknown dataset (404): its items are error items naming the dataset; items for a real dataset are appended', async () => {
		const ds = emu.createDataset('known');
		const input = [
			json({ ref: 'k-0', url: 's3://b/0.jpg', ds }),
			json({ ref: 'u-1', url: 's3://b/1.jpg', ds: 'ds_doesnotexist0' }),
			json({ ref: 'k-2', url: 's3://b/2.jpg', ds }),
			json({ ref: 'u-3', url: 's3://b/3.jpg', ds: 'ds_doesnotexist0' }),
		];
		const { output } = await runScale(
			emu,
			{
				...appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
				datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
			},
			input,
			{ onError: 'continueErrorOutput' },
		);
		const [ok, errors] = output;
		assert.deepEqual(ok.map(pairedIndex), [0, 2]);
		assert.deepEqual(errors.map(pairedIndex), [1, 3]);
		for (const e of errors)
			assert.match(
				String(e.json.error),
				/Nucleus API error 404 .*Dataset ds_doesnotexist0 not found/,
			);
		assert.equal(emu.itemCount(ds), 2);

		await assert.rejects(
			runScale(
				emu,
				appendParams('ds_doesnotexist0', {
					waitForCompletion: true,
					options: { pollInterval: 0.1 },
				}),
				[json({ ref: 'x', url: 's3://b/x.jpg' })],
			),
			(
				error: Error & {
					httpCode?: string;
					description?: string;
					context?: { itemIndex?: number };
				},
			) => {
				assert.equal(error.httpCode, '404');
				assert.match(error.message, /ds_doesnotexist0/);
				assert.match(String(error.description), /Check the dataset ID/);
				assert.equal(error.context?.itemIndex, 0);
				return true;
			},
		);
	});

	test('empty input: no request at all and no output items', async () => {
		const ds = emu.createDataset('empty-input');
		const before = emu.stats().requests;
		for (const parameters of [
			appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }),
			appendParams(ds, { waitForCompletion: false }),
			appendParams(ds, { mode: 'local', imageSource: 'binary' }),
		]) {
			const { output } = await runScale(emu, parameters, [], { onError: 'continueErrorOutput' });
			assert.equal(output.flat().length, 0);
		}
		assert.equal(emu.stats().requests, before);
	});

	test('with Continue On Fail off, a bad item stops the run before any request, naming the first bad item', async () => {
		const ds = emu.createDataset('stop');
		const before = emu.stats().requests;
		await assert.rejects(
			runScale(emu, appendParams(ds, { waitForCompletion: true, options: { pollInterval: 0.1 } }), [
				json({ ref: 'fine', url: 's3://b/ok.jpg' }),
				json({ ref: 'bad-url', url: 'ftp://b/x.jpg' }),
				json({ ref: '', url: 's3://b/y.jpg' }),
			]),
			(error: Error & { description?: string; context?: { itemIndex?: number } }) => {
				assert.match(error.message, /^Item 1: Image URL/);
				assert.equal(error.context?.itemIndex, 1);
				assert.match(String(error.description), /2 items are invalid; nothing was sent/);
				return true;
			},
		);
		assert.equal(emu.stats().requests, before);
		assert.equal(emu.itemCount(ds), 0);
	});
});
