/**
 * Paths on the wire: no ID can change the route it is sent in. Read from the emulator's request log
 * (the raw path it received): reference IDs are percent-encoded with nothing left unescaped; `.` and
 * `..`, which URL parsing would remove even percent-encoded, are refused before any request (a `..`
 * once deleted a whole dataset); dataset and job IDs are checked for their shape.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';

import type { INodeParameters } from 'n8n-workflow';

import { routes, UnsafePathError } from '../../nodes/shared/api/paths';
import { startEmulator, type Emulator } from '../emulator';
import { type RunNodeOptions } from '../harness';
import { json, rl, runScale } from './scale-nucleus';

// ---------------------------------------------------------------------------------------------
// On the wire, against the emulator

describe('paths on the wire (emulator request log)', () => {
	let emu: Emulator;
	let log: string[] = [];
	before(async () => {
		emu = await startEmulator({ quiet: false, log: (line) => log.push(line) });
	});
	after(async () => {
		await emu.close();
	});
	beforeEach(() => {
		log = [];
		emu.resetStats();
	});

	/** The raw API paths the emulator received (after /v1/nucleus/), in order. */
	const paths = () =>
		log
			.map((line) => /\] (\w+) \/v1\/nucleus\/(\S*) ->/.exec(line))
			.filter((m): m is RegExpExecArray => m !== null)
			.map((m) => `${m[1]} ${m[2]}`);

	const run = (
		parameters: INodeParameters,
		input = [json({})],
		more: Partial<RunNodeOptions> = {},
	) => runScale(emu, parameters, input, more);

	async function datasetWith(refs: string[]): Promise<string> {
		const ds = emu.createDataset(`paths-${Math.random().toString(36).slice(2, 8)}`);
		const job = emu.createJob(
			ds,
			refs.map((reference_id, i) => ({
				reference_id,
				image_url: `s3://b/${i}.jpg`,
				metadata: { i },
			})),
		);
		await emu.finishJob(job.job_id);
		assert.equal(emu.itemCount(ds), refs.length);
		return ds;
	}

	async function datasetIds(): Promise<string[]> {
		const answer = await fetch(`${emu.baseUrl}/dataset/details`, {
			headers: { authorization: `Basic ${Buffer.from(`${emu.apiKey}:`).toString('base64')}` },
		});
		return ((await answer.json()) as Array<{ id: string }>).map((d) => d.id);
	}

	const ENCODED: Array<[string, string]> = [
		['a/b', 'a%2Fb'],
		['%2F', '%252F'],
		['%2E%2E', '%252E%252E'],
		['...', '...'],
		[' spaced ', '%20spaced%20'],
		['50%', '50%25'],
		['?q=1#x', '%3Fq%3D1%23x'],
		["it's (1)*!", 'it%27s%20%281%29%2A%21'],
	];

	test('reference IDs are percent-encoded into one segment: Get and Delete reach exactly their item', async () => {
		const refs = ENCODED.map(([ref]) => ref);
		const ds = await datasetWith([...refs, 'other']);

		const got = await run(
			{
				resource: 'datasetItem',
				operation: 'get',
				datasetId: rl(ds),
				referenceId: '={{ $json.ref }}',
			},
			refs.map((ref) => json({ ref })),
		);
		assert.deepEqual(
			got.output[0].map((i) => i.json.reference_id),
			refs,
		);
		assert.deepEqual(
			paths(),
			ENCODED.map(([, wire]) => `GET dataset/${ds}/refloc/${wire}`),
		);

		log = [];
		const deleted = await run(
			{
				resource: 'datasetItem',
				operation: 'delete',
				datasetId: rl(ds),
				referenceId: '={{ $json.ref }}',
			},
			refs.map((ref) => json({ ref })),
		);
		assert.deepEqual(
			deleted.output[0].map((i) => i.json),
			refs.map((reference_id) => ({ deleted: true, dataset_id: ds, reference_id })),
		);
		assert.deepEqual(
			paths(),
			ENCODED.map(([, wire]) => `DELETE dataset/${ds}/refloc/${wire}`),
		);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['other'],
			'only the named items are gone; the dataset and its other item are there',
		);
	});

	test('reference ID ".." or "." is refused before any request: the dataset is not touched', async () => {
		// Items with these very IDs exist (Append stores any text), so a collapsed route is the only risk.
		const ds = await datasetWith(['..', '.', 'keep']);
		for (const operation of ['delete', 'get'] as const) {
			for (const ref of ['..', '.']) {
				await assert.rejects(
					run({ resource: 'datasetItem', operation, datasetId: rl(ds), referenceId: ref }),
					(error: Error & { description?: string }) => {
						assert.equal(
							error.message,
							`Item 0: Reference ID '${ref}' cannot be sent in a URL path: URL parsing removes a "${ref}" segment (even percent-encoded), so the request would reach another route`,
						);
						assert.match(String(error.description), /^Nothing was sent\./);
						return true;
					},
				);
			}
		}
		assert.deepEqual(paths(), [], 'no request reached the server');
		assert.equal(emu.stats().requests, 0);

		const { output } = await run(
			{
				resource: 'datasetItem',
				operation: 'delete',
				datasetId: rl(ds),
				referenceId: '={{ $json.ref }}',
			},
			[json({ ref: '..' }), json({ ref: 'keep' }), json({ ref: '.' })],
			{ continueOnFail: true },
		);
		assert.deepEqual(
			output[0].map((i) => [
				i.json.deleted ?? null,
				i.json.reference_id ?? null,
				typeof i.json.error,
			]),
			[
				[null, null, 'string'],
				[true, 'keep', 'undefined'],
				[null, null, 'string'],
			],
		);
		assert.deepEqual(paths(), [`DELETE dataset/${ds}/refloc/keep`]);
		assert.ok((await datasetIds()).includes(ds), 'the dataset still exists');
		assert.deepEqual(
			emu
				.listItems(ds)
				.map((i) => i.reference_id)
				.sort(),
			['.', '..'],
		);
	});

	test('empty, whitespace-only and non-text reference IDs are refused, naming the item', async () => {
		const ds = await datasetWith(['x']);
		const { output } = await run(
			{
				resource: 'datasetItem',
				operation: 'get',
				datasetId: rl(ds),
				referenceId: '={{ $json.ref }}',
			},
			[json({ ref: '' }), json({ ref: '   ' }), json({ ref: { a: 1 } }), json({ ref: '\ud800' })],
			{ continueOnFail: true },
		);
		assert.deepEqual(
			output[0].map((i) => i.json.error),
			[
				'Item 0: Reference ID is empty',
				'Item 1: Reference ID is empty',
				'Item 2: Reference ID must be text, but got an object',
				"Item 3: Reference ID '\ud800' is not valid Unicode text (it has an unpaired surrogate)",
			],
		);
		assert.deepEqual(paths(), []);
	});

	test('dataset IDs that are not ds_… are refused by every dataset operation before any request', async () => {
		const bad = ['../x', 'ds_a/../ds_b', '%2E%2E', 'ds_a b', 'ds_x?y=1', '..'];
		for (const operation of [
			{ resource: 'dataset', operation: 'get' },
			{ resource: 'dataset', operation: 'delete' },
			{ resource: 'datasetItem', operation: 'get', referenceId: 'r' },
			{ resource: 'datasetItem', operation: 'delete', referenceId: 'r' },
			{ resource: 'datasetItem', operation: 'getMany', returnAll: true },
		]) {
			const { output } = await run(
				{ ...operation, datasetId: rl('={{ $json.ds }}') },
				bad.map((ds) => json({ ds })),
				{ continueOnFail: true },
			);
			assert.deepEqual(
				output[0].map((i) => i.json.error),
				bad.map((ds, i) => `Item ${i}: Dataset ID "${ds}" is not a Nucleus dataset ID`),
				JSON.stringify(operation),
			);
		}
		assert.deepEqual(paths(), []);
	});

	test('Update Metadata and the Dataset filter of Job → Get Many refuse dataset IDs that are not ds_…, before any request', async () => {
		const bad = ['../x', 'ds_a/../ds_b', '%2E%2E', 'ds_a b', 'ds_x?y=1', '..'];
		const updated = await run(
			{
				resource: 'datasetItem',
				operation: 'updateMetadata',
				datasetId: rl('={{ $json.ds }}'),
				referenceId: 'r',
				metadataMode: 'json',
				metadataJson: '{"tag": "x"}',
			},
			bad.map((ds) => json({ ds })),
			{ continueOnFail: true },
		);
		assert.deepEqual(
			updated.output[0].map((i) => i.json.error),
			bad.map((ds, i) => `Item ${i}: Dataset ID "${ds}" is not a Nucleus dataset ID`),
		);
		const listed = await run(
			{
				resource: 'job',
				operation: 'getMany',
				returnAll: true,
				filters: { datasetId: rl('={{ $json.ds }}') },
			},
			[...bad, 7].map((ds) => json({ ds })),
			{ continueOnFail: true },
		);
		assert.deepEqual(
			listed.output[0].map((i) => i.json.error),
			[
				...bad.map((ds, i) => `Item ${i}: Dataset ID "${ds}" is not a Nucleus dataset ID`),
				// A value that is not text does not widen the list to every job of the account.
				'Item 6: Dataset ID must be text, but got a number (7)',
			],
		);
		assert.deepEqual(paths(), []);
	});

	test('job IDs that are not job_… are refused by Get Status, Get Errors and Wait before any request', async () => {
		const bad = ['../x', 'job_a/../b', 'job_%2E%2E', '..', 'ds_bw6de8s84pe0vbn6p5zg', 'job_a?b'];
		for (const operation of ['getStatus', 'getErrors']) {
			const { output } = await run(
				{ resource: 'job', operation, jobId: '={{ $json.job }}' },
				bad.map((job) => json({ job })),
				{ continueOnFail: true },
			);
			assert.deepEqual(
				output[0].map((i) => i.json.error),
				bad.map(
					(job, i) =>
						`Item ${i}: Job ID '${job}' is not a job ID (job_ and letters, digits, _ or -, at most 200 characters)`,
				),
			);
		}
		const { output } = await run(
			{ resource: 'job', operation: 'waitForCompletion', jobId: '={{ $json.job }}', timeout: 5 },
			bad.map((job) => json({ job })),
			{ continueOnFail: true },
		);
		assert.deepEqual(
			output[0].map((i) => [(i.json.details as { field?: string }).field, i.json.error]),
			bad.map((job, i) => [
				'Job ID',
				`Item ${i}: Job ID '${job}' is not a job ID (job_ and letters, digits, _ or -, at most 200 characters)`,
			]),
		);
		assert.deepEqual(paths(), []);
	});

	test('the route builders themselves refuse a value that would not stay one segment', () => {
		const unsafe = (build: () => string, message: string) =>
			assert.throws(build, (error: Error) => {
				assert.ok(error instanceof UnsafePathError);
				assert.equal(error.message, message);
				return true;
			});
		const dotsRef = (v: string) =>
			`The reference ID '${v}' cannot be sent in a URL path: URL parsing removes a "${v}" segment (even percent-encoded), so the request would reach another route`;
		unsafe(() => routes.datasetItem('ds_x', '..'), dotsRef('..'));
		unsafe(() => routes.datasetItem('ds_x', '.'), dotsRef('.'));
		unsafe(() => routes.datasetItem('ds_x', ''), 'The reference ID is empty');
		unsafe(
			() => routes.job('..'),
			`The job ID '..' cannot be sent in a URL path: URL parsing removes a ".." segment (even percent-encoded), so the request would reach another route`,
		);
		unsafe(() => routes.jobErrors(''), 'The job ID is empty');
		unsafe(
			() => routes.datasetInfo('.'),
			`The dataset ID '.' cannot be sent in a URL path: URL parsing removes a "." segment (even percent-encoded), so the request would reach another route`,
		);
		for (const build of [routes.dataset, routes.datasetSize, routes.datasetMetadata]) {
			unsafe(
				() => build('..'),
				`The dataset ID '..' cannot be sent in a URL path: URL parsing removes a ".." segment (even percent-encoded), so the request would reach another route`,
			);
		}
		assert.equal(routes.dataset('ds_a/b'), 'dataset/ds_a%2Fb');
		assert.equal(routes.datasetSize('ds_x'), 'dataset/ds_x/size');
		assert.equal(routes.datasetMetadata('ds_x'), 'dataset/ds_x/metadata');
		assert.equal(routes.datasetItem('ds_x', 'a/b?c#d'), 'dataset/ds_x/refloc/a%2Fb%3Fc%23d');
		assert.equal(routes.job('job_a/../b'), 'job/job_a%2F..%2Fb');
	});
});
