/**
 * Answers: no answer is taken as a success unless it has the shape the operation needs. Against a
 * misbehaving server (test/integration/fake-nucleus.ts), an HTML page, `{}`, truncated JSON or a list
 * where an object belongs is an error that says what arrived, an error item with On Error → Continue,
 * for every operation and for the trigger's poll.
 *
 * Longer than most files on purpose: one table of bad answers covers every operation against one
 * fake-server set-up, and the cases read best side by side; splitting it by operation would repeat
 * that set-up in each file.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { capturedLogEntries, runNode, runPoll, type RunNodeOptions } from '../harness';
import {
	FAKE_API_KEY,
	html,
	jsonAnswer,
	startFakeNucleus,
	truncated,
	type FakeAnswer,
	type FakeNucleus,
} from './fake-nucleus';
import { ScaleNucleus, json, rl } from './scale-nucleus';

describe('answers that are not what the operation needs', () => {
	let fake: FakeNucleus;
	let answer: (method: string, path: string) => FakeAnswer;
	beforeEach(async () => {
		answer = () => jsonAnswer({ error: 'not scripted' }, 500);
		fake = await startFakeNucleus((req) => answer(req.method, req.path));
	});
	afterEach(async () => {
		await fake.close();
	});

	const run = (
		parameters: INodeParameters,
		input: INodeExecutionData[] = [json({})],
		more: Partial<RunNodeOptions> = {},
	) =>
		runNode({
			node: new ScaleNucleus(),
			parameters,
			input,
			credentials: fake.credentials,
			...more,
		});

	const DS = 'ds_bw6de8s84pe0vbn6p5zg';
	const JOB = 'job_c4rmsk8arvzg0cqkc6e0';

	interface Case {
		name: string;
		parameters: INodeParameters;
		route: string;
		/** How the message names the request and what was expected. */
		request: string;
		expected: string;
		bad: Array<[string, FakeAnswer, string]>;
	}

	const HTML_SEEN = `an HTML page ('<!DOCTYPE html><html><head><title>Portal</title></head><body>Sign in to continue</body></html>')`;
	const cases: Case[] = [
		{
			name: 'Dataset → Create',
			parameters: { resource: 'dataset', operation: 'create', name: 'new' },
			route: 'POST dataset/create',
			request: 'POST dataset/create',
			expected: 'the new dataset (an object with its dataset_id)',
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated({ dataset_id: DS, name: 'new' }),
					`JSON that does not parse, perhaps cut off ('{"dataset_id":"ds_bw')`,
				],
				[
					'a list',
					jsonAnswer([{ dataset_id: DS }]),
					`a JSON array of 1 entry ('[{"dataset_id":"${DS}"}]')`,
				],
			],
		},
		{
			name: 'Dataset → Get',
			parameters: { resource: 'dataset', operation: 'get', datasetId: rl(DS) },
			route: `GET dataset/${DS}/info`,
			request: `GET dataset/${DS}/info`,
			expected: "the dataset's info (an object with its name)",
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated({ dataset_id: DS, name: 'x' }, 12),
					`JSON that does not parse, perhaps cut off ('{"dataset_id')`,
				],
				['a list', jsonAnswer([{ name: 'x' }]), `a JSON array of 1 entry ('[{"name":"x"}]')`],
			],
		},
		{
			name: 'Dataset → Get Many',
			parameters: { resource: 'dataset', operation: 'getMany', returnAll: true },
			route: 'GET dataset/details',
			request: 'GET dataset/details',
			expected: 'a list of datasets (a JSON array of {id, name})',
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated([{ id: DS, name: 'x' }], 8),
					`JSON that does not parse, perhaps cut off ('[{"id":"')`,
				],
				['an object', jsonAnswer({ datasets: [] }), `a JSON object ('{"datasets":[]}')`],
			],
		},
		{
			name: 'Dataset Item → Get',
			parameters: {
				resource: 'datasetItem',
				operation: 'get',
				datasetId: rl(DS),
				referenceId: 'r1',
			},
			route: `GET dataset/${DS}/refloc/r1`,
			request: `GET dataset/${DS}/refloc/r1`,
			expected: 'the item (an object with "item" and "annotations")',
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated({ item: { reference_id: 'r1' } }, 10),
					`JSON that does not parse, perhaps cut off ('{"item":{"')`,
				],
				['a list', jsonAnswer([{ item: {} }]), `a JSON array of 1 entry ('[{"item":{}}]')`],
			],
		},
		{
			name: 'Dataset Item → Get Many',
			parameters: {
				resource: 'datasetItem',
				operation: 'getMany',
				datasetId: rl(DS),
				returnAll: true,
			},
			route: `POST dataset/${DS}/itemsPage`,
			request: `POST dataset/${DS}/itemsPage`,
			expected: 'a page of items (an object with an "items" list and "nextPageToken")',
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated({ items: [] }, 9),
					`JSON that does not parse, perhaps cut off ('{"items":')`,
				],
				['a list', jsonAnswer([]), `a JSON array of 0 entries ('[]')`],
			],
		},
		{
			name: 'Dataset Item → Delete',
			parameters: {
				resource: 'datasetItem',
				operation: 'delete',
				datasetId: rl(DS),
				referenceId: 'r1',
			},
			route: `DELETE dataset/${DS}/refloc/r1`,
			request: `DELETE dataset/${DS}/refloc/r1`,
			expected: 'an empty body or a JSON object',
			bad: [
				['HTML', html(), HTML_SEEN],
				[
					'truncated JSON',
					truncated({ deleted: true }, 6),
					`JSON that does not parse, perhaps cut off ('{"dele')`,
				],
				['a list', jsonAnswer([]), `a JSON array of 0 entries ('[]')`],
				['text', { status: 200, type: 'text/plain', body: 'OK' }, `text, not JSON ('OK')`],
			],
		},
		{
			name: 'Job → Get Status',
			parameters: { resource: 'job', operation: 'getStatus', jobId: JOB },
			route: `GET job/${JOB}`,
			request: `GET job/${JOB}`,
			expected: 'a job status (an object with "status")',
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated({ status: 'Completed' }, 8),
					`JSON that does not parse, perhaps cut off ('{"status')`,
				],
				[
					'a list',
					jsonAnswer([{ status: 'Completed' }]),
					`a JSON array of 1 entry ('[{"status":"Completed"}]')`,
				],
			],
		},
		{
			name: 'Job → Get Errors',
			parameters: { resource: 'job', operation: 'getErrors', jobId: JOB },
			route: `GET job/${JOB}/errors`,
			request: `GET job/${JOB}/errors`,
			expected: "the job's errors (a JSON array of texts)",
			bad: [
				['HTML', html(), HTML_SEEN],
				['{}', jsonAnswer({}), 'an empty JSON object ({})'],
				[
					'truncated JSON',
					truncated(['a', 'b'], 6),
					`JSON that does not parse, perhaps cut off ('["a","')`,
				],
				['an empty body', { status: 200, type: 'application/json', body: '' }, 'an empty body'],
			],
		},
	];

	for (const c of cases) {
		test(`${c.name}: HTML, {}, truncated JSON or the wrong kind of JSON is an error saying what arrived`, async () => {
			for (const [label, bad, seen] of c.bad) {
				answer = (method, path) =>
					`${method} ${path}` === c.route ? bad : jsonAnswer({ error: 'unexpected request' }, 500);
				const message = `Nucleus answered ${c.request} with ${seen}; expected ${c.expected}`;
				const { output } = await run(c.parameters, [json({})], { continueOnFail: true });
				assert.equal(output[0].length, 1, label);
				assert.deepEqual(output[0][0].json, { error: message, details: { item: 0 } }, label);
				await assert.rejects(run(c.parameters), (error: Error & { description?: string }) => {
					assert.equal(error.message, message, label);
					assert.match(String(error.description), /check the Base URL/, label);
					return true;
				});
			}
			// Create lists the datasets first, so an ambiguous failure can be checked before resending.
			const lookFirst = c.route === 'POST dataset/create' ? 'GET dataset/details' : undefined;
			assert.ok(
				fake.lines().every((line) => line === c.route || line === lookFirst),
				fake.lines().join('\n'),
			);
		});
	}

	test('Dataset Item → Delete counts an empty body or a JSON object as deleted, not an embedded error or another item', async () => {
		const params = {
			resource: 'datasetItem',
			operation: 'delete',
			datasetId: rl(DS),
			referenceId: 'r1',
		};
		for (const ok of [
			{ status: 204, body: '' } as FakeAnswer,
			jsonAnswer({}),
			jsonAnswer({ message: 'Item deleted' }),
			jsonAnswer({ reference_id: 'r1', dataset_id: DS }),
		]) {
			answer = () => ok;
			const { output } = await run(params);
			assert.deepEqual(output[0][0].json, { deleted: true, dataset_id: DS, reference_id: 'r1' });
		}
		answer = () => jsonAnswer({ error: 'Item is locked', status_code: 409 });
		await assert.rejects(run(params), {
			message: `Nucleus answered DELETE dataset/${DS}/refloc/r1 with an error: Item is locked`,
		});
		answer = () => jsonAnswer({ reference_id: 'r2' });
		await assert.rejects(run(params), {
			message: `Nucleus answered DELETE dataset/${DS}/refloc/r1 about another item ({"reference_id":"r2"})`,
		});
	});

	test('answers about another dataset, item or job are refused, and 2xx bodies carrying an error are errors', async () => {
		answer = () => jsonAnswer({ dataset_id: 'ds_other', name: 'x' });
		await assert.rejects(run({ resource: 'dataset', operation: 'get', datasetId: rl(DS) }), {
			message: `Nucleus answered GET dataset/${DS}/info with the info of another dataset (ds_other)`,
		});
		answer = () => jsonAnswer({ item: { reference_id: 'someone-else' }, annotations: {} });
		await assert.rejects(
			run({ resource: 'datasetItem', operation: 'get', datasetId: rl(DS), referenceId: 'r1' }),
			{
				message: `Nucleus answered GET dataset/${DS}/refloc/r1 with another item (reference ID someone-else)`,
			},
		);
		answer = () => jsonAnswer({ job_id: 'job_other', status: 'Completed' });
		await assert.rejects(run({ resource: 'job', operation: 'getStatus', jobId: JOB }), {
			message: `Nucleus answered GET job/${JOB} about another job (job_other)`,
		});
		answer = () => jsonAnswer({ error: 'Name already taken', status_code: 400 });
		await assert.rejects(run({ resource: 'dataset', operation: 'create', name: 'dup' }), {
			message: 'Nucleus answered POST dataset/create with an error: Name already taken',
		});
		// A good answer still passes: the ref_id spelling of the backend is understood (the SDK's `DatasetItem.from_json`).
		answer = () => jsonAnswer({ item: { ref_id: 'r1', image_url: 's3://b/1.jpg' } });
		const { output } = await run({
			resource: 'datasetItem',
			operation: 'get',
			datasetId: rl(DS),
			referenceId: 'r1',
		});
		assert.deepEqual(output[0][0].json, {
			ref_id: 'r1',
			image_url: 's3://b/1.jpg',
			annotations: {},
		});
	});

	test('a dataset list entry that is not {id, name} is refused, naming the entry', async () => {
		answer = () =>
			jsonAnswer([
				{ id: DS, name: 'a' },
				{ id: 7, name: 'b' },
			]);
		await assert.rejects(run({ resource: 'dataset', operation: 'getMany', returnAll: true }), {
			message: `Nucleus answered GET dataset/details (entry 1 of 2) with a JSON object ('{"id":7,"name":"b"}'); expected a dataset (an object with a text id and name)`,
		});
	});

	test('Get Many stops when the server hands out a page token it gave before', async () => {
		let n = 0;
		// The walk reads the dataset's item count once, before its second page (it bounds the walk).
		answer = (_method, path) =>
			path === `dataset/${DS}/info`
				? jsonAnswer({ dataset_id: DS, name: 'd', length: 10 })
				: jsonAnswer({ items: [{ reference_id: `r${n++}` }], nextPageToken: n % 2 ? 'A' : 'B' });
		await assert.rejects(
			run({ resource: 'datasetItem', operation: 'getMany', datasetId: rl(DS), returnAll: true }),
			{
				message: `Nucleus answered the item pages of dataset ${DS} with a page token it had already given; stopped after 3 pages and 3 items`,
			},
		);
		assert.equal(fake.lines().filter((line) => line.endsWith('/itemsPage')).length, 3);
	});

	test('Dataset → Get: a size answer that is not {count} is an error, never a guessed item_count', async () => {
		const params = { resource: 'dataset', operation: 'get', datasetId: rl(DS) };
		for (const [bad, seen] of [
			[html(), HTML_SEEN],
			[jsonAnswer({}), 'an empty JSON object ({})'],
			[jsonAnswer({ count: '12' }), `a JSON object ('{"count":"12"}')`],
			[jsonAnswer({ count: -1 }), `a JSON object ('{"count":-1}')`],
		] as Array<[FakeAnswer, string]>) {
			answer = (method, path) =>
				path === `dataset/${DS}/info`
					? jsonAnswer({ dataset_id: DS, name: 'x' })
					: path === `dataset/${DS}/size`
						? bad
						: jsonAnswer({ error: 'unexpected request' }, 500);
			await assert.rejects(run(params), (error: Error & { description?: string }) => {
				assert.equal(
					error.message,
					`Nucleus did not say how many items dataset ${DS} holds: it answered GET dataset/${DS}/size with ${seen}; expected an object with a whole-number "count"`,
				);
				assert.match(String(error.description), /check the Base URL/);
				return true;
			});
		}
		answer = (method, path) =>
			path === `dataset/${DS}/info`
				? jsonAnswer({ dataset_id: DS, name: 'x' })
				: jsonAnswer({ count: 3 });
		const { output } = await run(params);
		assert.deepEqual(output[0][0].json, { dataset_id: DS, name: 'x', item_count: 3 });
	});

	test('Dataset → Delete: checked info first, then DELETE dataset/{id}; an unexpected answer is an error, never "deleted"', async () => {
		const params = { resource: 'dataset', operation: 'delete', datasetId: rl(DS) };
		const info = jsonAnswer({ dataset_id: DS, name: 'doomed', length: 4 });
		// The info is checked before anything is deleted: an HTML page sends no DELETE.
		answer = (method) => (method === 'GET' ? html() : jsonAnswer({ message: 'deleting' }));
		await assert.rejects(run(params), {
			message: `Nucleus answered GET dataset/${DS}/info with ${HTML_SEEN}; expected the dataset's info (an object with its name)`,
		});
		assert.deepEqual(fake.lines(), [`GET dataset/${DS}/info`]);
		for (const [bad, seen] of [
			[html(), HTML_SEEN],
			[
				truncated({ message: 'Beginning' }, 6),
				`JSON that does not parse, perhaps cut off ('{"mess')`,
			],
			[jsonAnswer([]), `a JSON array of 0 entries ('[]')`],
			[{ status: 200, type: 'text/plain', body: 'OK' }, `text, not JSON ('OK')`],
		] as Array<[FakeAnswer, string]>) {
			answer = (method) => (method === 'GET' ? info : bad);
			const { output } = await run(params, [json({})], { continueOnFail: true });
			assert.deepEqual(output[0][0].json, {
				error: `Nucleus answered DELETE dataset/${DS} with ${seen}; expected an empty body or a JSON object`,
				details: { item: 0 },
			});
		}
		answer = (method) =>
			method === 'GET' ? info : jsonAnswer({ error: 'Dataset is locked', status_code: 409 });
		await assert.rejects(run(params), {
			message: `Nucleus answered DELETE dataset/${DS} with an error: Dataset is locked`,
		});
		answer = (method) => (method === 'GET' ? info : jsonAnswer({ dataset_id: 'ds_other' }));
		await assert.rejects(run(params), {
			message: `Nucleus answered DELETE dataset/${DS} about another dataset (ds_other)`,
		});
		for (const [ok, message] of [
			[jsonAnswer({ message: 'Beginning dataset deletion...' }), 'Beginning dataset deletion...'],
			[{ status: 204, body: '' } as FakeAnswer, null],
		] as Array<[FakeAnswer, string | null]>) {
			answer = (method) => (method === 'GET' ? info : ok);
			const { output } = await run(params);
			assert.deepEqual(output[0][0].json, {
				deleted: true,
				dataset_id: DS,
				name: 'doomed',
				items_deleted: 4,
				message,
			});
		}
	});

	test('Job → Get Many: a job list that is not a list is an error saying what arrived; unusable entries are skipped with a warning', async () => {
		const params = { resource: 'job', operation: 'getMany', returnAll: true };
		for (const [bad, seen] of [
			[html(), HTML_SEEN],
			[jsonAnswer({ jobs: [] }), `a JSON object ('{"jobs":[]}')`],
			[
				truncated([{ job_id: JOB }], 10),
				`JSON that does not parse, perhaps cut off ('[{"job_id"')`,
			],
		] as Array<[FakeAnswer, string]>) {
			answer = () => bad;
			const { output } = await run(params, [json({})], { continueOnFail: true });
			assert.deepEqual(output[0][0].json, {
				error: `Nucleus answered POST jobs/ with ${seen}; expected a list of jobs (a JSON array)`,
				details: { item: 0 },
			});
		}
		const from = capturedLogEntries.length;
		answer = () =>
			jsonAnswer([
				{ job_id: '..', job_last_known_status: 'Completed' },
				{ job_last_known_status: 'Completed' },
				{ job_id: JOB, job_last_known_status: 'Completed', dataset_id: DS, job_type: 'x' },
				// The server ignored the dataset filter: another dataset's job is left out.
				{ job_id: 'job_other', job_last_known_status: 'Completed', dataset_id: 'ds_other' },
			]);
		const { output } = await run({ ...params, filters: { datasetId: rl(DS) } });
		assert.deepEqual(
			output[0].map((i) => i.json.job_id),
			[JOB],
		);
		assert.deepEqual(
			capturedLogEntries
				.slice(from)
				.filter((e) => e.level === 'warn')
				.map((e) => e.message),
			[
				`Scale Nucleus: 2 entries of the job list (POST jobs/) had no usable job ID and were skipped (entry 0: job_id '..' cannot be sent in a URL path: URL parsing removes a ".." segment (even percent-encoded), so the request would reach another route)`,
			],
		);
	});

	test('Update Metadata: an answer that is not a result or a job fails the items it carried, none is reported updated', async () => {
		const params = (extra: INodeParameters = {}) => ({
			resource: 'datasetItem',
			operation: 'updateMetadata',
			datasetId: rl(DS),
			referenceId: '={{ $json.ref }}',
			metadataMode: 'json',
			metadataJson: '{"tag": "x"}',
			...extra,
		});
		const input = [json({ ref: 'r1' }), json({ ref: 'r2' })];
		for (const [bad, seen] of [
			[html(), HTML_SEEN],
			[jsonAnswer([]), `a JSON array of 0 entries ('[]')`],
			[
				truncated({ updated_items: 2 }, 8),
				`JSON that does not parse, perhaps cut off ('{"update')`,
			],
		] as Array<[FakeAnswer, string]>) {
			answer = () => bad;
			const { output } = await run(params(), input, { continueOnFail: true });
			assert.deepEqual(
				output[0].map((i) => [
					(i.json.details as { reference_id?: string }).reference_id,
					i.json.error,
					i.json.succeeded,
				]),
				['r1', 'r2'].map((ref) => [
					ref,
					`Nucleus answered POST dataset/${DS}/metadata?async=0 with ${seen}; expected the result of the metadata update (a JSON object)`,
					undefined,
				]),
			);
		}
		answer = () => jsonAnswer({ dataset_id: 'ds_other', updated_items: 2, errors: [] });
		await assert.rejects(run(params(), input), {
			message: `Nucleus answered POST dataset/${DS}/metadata?async=0 about another dataset (ds_other)`,
		});
		// Asynchronously, the answer must be a job of this dataset with a usable ID.
		for (const [bad, message] of [
			[
				jsonAnswer({ job_id: '..' }),
				`Nucleus answered POST dataset/${DS}/metadata?async=1 with a JSON object ('{"job_id":".."}'); expected the job of the update (an object with its job_id)`,
			],
			[
				html(),
				`Nucleus answered POST dataset/${DS}/metadata?async=1 with ${HTML_SEEN}; expected the job of the update (an object with its job_id)`,
			],
			[
				jsonAnswer({ job_id: JOB, dataset_id: 'ds_other' }),
				`Nucleus answered POST dataset/${DS}/metadata?async=1 with a job of another dataset (ds_other)`,
			],
		] as Array<[FakeAnswer, string]>) {
			answer = () => bad;
			await assert.rejects(run(params({ asynchronous: true, waitForCompletion: true }), input), {
				message,
			});
		}
		assert.ok(
			fake.lines().every((line) => /^POST dataset\/ds_\w+\/metadata\?async=[01]$/.test(line)),
			fake.lines().join('\n'),
		);
	});

	test('what arrived is quoted without credentials a server echoes back', async () => {
		const basic = Buffer.from(`${FAKE_API_KEY}:`).toString('base64');
		answer = () => ({
			status: 200,
			type: 'text/plain',
			body: `echo Authorization: Basic ${basic} from https://user:pw@proxy.example/x?sig=abc`,
		});
		const { output } = await run(
			{ resource: 'dataset', operation: 'get', datasetId: rl(DS) },
			[json({})],
			{ continueOnFail: true },
		);
		// The harness also fails the run if the key or its Base64 appears anywhere.
		assert.equal(
			output[0][0].json.error,
			`Nucleus answered GET dataset/${DS}/info with text, not JSON ('echo Authorization: Basic [redacted] from https://proxy.example/x?[redacted]'); expected the dataset's info (an object with its name)`,
		);
	});
});

describe('the trigger against a misbehaving server', () => {
	let fake: FakeNucleus;
	let answer: (method: string, path: string) => FakeAnswer;
	beforeEach(async () => {
		answer = () => jsonAnswer({ error: 'not scripted' }, 500);
		fake = await startFakeNucleus((req) => answer(req.method, req.path));
	});
	afterEach(async () => {
		await fake.close();
	});
	const poll = (staticData: IDataObject) =>
		runPoll({
			node: new ScaleNucleusTrigger(),
			parameters: { watch: 'all', options: { emitHistory: true } } as never,
			credentials: fake.credentials,
			staticData,
		});
	const GOOD_JOB = {
		job_id: 'job_goodgoodgoodgoodgood',
		job_last_known_status: 'Completed',
		job_type: 'uploadDatasetItems',
		job_creation_time: new Date().toISOString(),
		dataset_id: 'ds_trigger',
	};

	test('a job list that is not a list fails the poll with what arrived; the state is not written', async () => {
		for (const [bad, seen] of [
			[html(), 'an HTML page'],
			[jsonAnswer({ jobs: [] }), `a JSON object ('{"jobs":[]}')`],
			[truncated([GOOD_JOB], 10), `JSON that does not parse, perhaps cut off ('[{"job_id"')`],
		] as Array<[FakeAnswer, string]>) {
			answer = () => bad;
			const state: IDataObject = {};
			await assert.rejects(poll(state), (error: Error) => {
				assert.ok(
					error.message.startsWith(`Nucleus answered POST jobs/ with ${seen}`),
					error.message,
				);
				return true;
			});
			assert.deepEqual(state, {}, 'nothing written');
		}
	});

	test('a listed job whose ID cannot be sent in a path is skipped with a warning; the others are emitted', async () => {
		const from = capturedLogEntries.length;
		answer = (method, path) => {
			if (method === 'POST' && path === 'jobs/') {
				return jsonAnswer([{ ...GOOD_JOB, job_id: '..' }, { ...GOOD_JOB, job_id: 42 }, GOOD_JOB]);
			}
			if (path === `job/${GOOD_JOB.job_id}`) {
				return jsonAnswer({ job_id: GOOD_JOB.job_id, status: 'Completed', job_progress: '1.00' });
			}
			if (path === `job/${GOOD_JOB.job_id}/errors`) return jsonAnswer([]);
			return jsonAnswer({ error: 'unexpected' }, 500);
		};
		const result = await poll({});
		assert.deepEqual(
			result?.[0].map((i) => [i.json.job_id, i.json.status]),
			[[GOOD_JOB.job_id, 'Completed']],
		);
		assert.deepEqual(fake.lines(), [
			'POST jobs/',
			`GET job/${GOOD_JOB.job_id}`,
			`GET job/${GOOD_JOB.job_id}/errors`,
		]);
		const warnings = capturedLogEntries
			.slice(from)
			.filter((e) => e.level === 'warn')
			.map((e) => e.message);
		assert.deepEqual(warnings, [
			`Scale Nucleus Trigger: 2 entries of the job list (POST jobs/) had no usable job ID and were skipped (entry 0: job_id '..' cannot be sent in a URL path: URL parsing removes a ".." segment (even percent-encoded), so the request would reach another route)`,
		]);
	});
});
