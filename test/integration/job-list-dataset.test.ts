/**
 * Job → Get Many, Dataset → Get (item count) and Dataset → Delete in a real n8n-core context against
 * the emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import type { RunNodeOptions } from '../harness';
import { rl, runScale } from './scale-nucleus';

let emu: Emulator;

before(async () => {
	emu = await startEmulator();
});
after(async () => {
	await emu.close();
});

const run = (
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
	more: Partial<RunNodeOptions> = {},
) => runScale(emu, parameters, input, more);

const GET_STATUS_FIELDS = [
	'job_id',
	'status',
	'succeeded',
	'errored',
	'final',
	'progress',
	'completed_steps',
	'total_steps',
	'message',
];

/** A dataset with five jobs of known types, statuses and creation times. */
function jobsFixture() {
	const ds = emu.createDataset('job-list');
	const make = (createdAt: string, status: string, jobType = 'uploadDatasetItems') =>
		emu.createJob(ds, [], { createdAt, status, jobType }).job_id;
	return {
		ds,
		oldest: make('2026-11-20T08:00:00.000Z', 'Completed'),
		morning: make('2026-11-27T10:00:00.000Z', 'Errored_Partial'),
		noon: make('2026-11-27T12:00:00.000Z', 'Completed', 'metadataUpdate'),
		evening: make('2026-11-27T23:59:59.000Z', 'Cancelled'),
		newest: make('2026-11-28T00:00:01.000Z', 'Running'),
	};
}

const listParams = (filters: INodeParameters, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'job',
	operation: 'getMany',
	returnAll: true,
	filters,
	...extra,
});

describe('Job → Get Many', () => {
	test("a dataset's jobs, newest first, with the fields of Get Status plus type, dataset and creation time", async () => {
		const f = jobsFixture();
		emu.createJob(emu.createDataset('other'), [], { status: 'Completed' });
		const { output } = await run(listParams({ datasetId: rl(f.ds) }));
		assert.deepEqual(
			output[0].map((i) => i.json.job_id),
			[f.newest, f.evening, f.noon, f.morning, f.oldest],
		);
		const first = output[0][0];
		assert.deepEqual(Object.keys(first.json), [
			...GET_STATUS_FIELDS,
			'job_type',
			'dataset_id',
			'job_creation_time',
		]);
		assert.deepEqual(first.json, {
			job_id: f.newest,
			status: 'Running',
			succeeded: false,
			errored: false,
			final: false,
			progress: null,
			completed_steps: null,
			total_steps: null,
			message: null,
			job_type: 'uploadDatasetItems',
			dataset_id: f.ds,
			job_creation_time: '2026-11-28T00:00:01.000Z',
		});
		assert.deepEqual(first.pairedItem, { item: 0 });
		const errored = output[0].find((i) => i.json.job_id === f.morning)!.json;
		assert.deepEqual(
			[errored.status, errored.errored, errored.final],
			['Errored_Partial', true, true],
		);
	});

	test('filters: job types, statuses (Errored matches every Errored*), an exact created window, and a limit', async () => {
		const f = jobsFixture();
		const ids = async (filters: INodeParameters, extra: INodeParameters = {}) =>
			(await run(listParams({ datasetId: rl(f.ds), ...filters }, extra))).output[0].map(
				(i) => i.json.job_id,
			);
		assert.deepEqual(await ids({ jobTypes: ['metadataUpdate'] }), [f.noon]);
		assert.deepEqual(await ids({ statuses: ['Errored', 'Cancelled'] }), [f.evening, f.morning]);
		assert.deepEqual(await ids({ statuses: ['Completed'] }), [f.noon, f.oldest]);
		// At or after 10:00, before 23:59:59 the same day: the 23:59:59 job and the next day's are out.
		assert.deepEqual(
			await ids({
				createdAfter: '2026-11-27T10:00:00.000Z',
				createdBefore: '2026-11-27T23:59:59.000Z',
			}),
			[f.noon, f.morning],
		);
		assert.deepEqual(await ids({ createdAfter: '2026-11-27T23:00:00Z' }), [f.newest, f.evening]);
		assert.deepEqual(await ids({}, { returnAll: false, limit: 2 }), [f.newest, f.evening]);
	});

	test('Include Progress reads each listed job: current status, progress and steps', async () => {
		const ds = emu.createDataset('job-progress');
		const job = emu.createJob(ds, [{ reference_id: 'a', image_url: 's3://b/a.jpg', metadata: {} }]);
		await emu.finishJob(job.job_id);
		const { output } = await run(
			listParams({ datasetId: rl(ds) }, { options: { includeProgress: true } }),
		);
		assert.equal(output[0].length, 1);
		const j = output[0][0].json;
		assert.deepEqual(
			[j.job_id, j.status, j.succeeded, j.progress, j.completed_steps, j.total_steps],
			[job.job_id, 'Completed', true, 1, 2, 2],
		);
		assert.deepEqual((j.message as { image_upload_step: unknown }).image_upload_step, {
			errored: 0,
			pending: 0,
			completed: 1,
		});
	});

	test('an unusable date, or Created After not before Created Before, stops before any request', async () => {
		const before = emu.stats().byRoute['POST jobs'] ?? 0;
		await assert.rejects(
			run(listParams({ createdAfter: 'yesterday-ish' })),
			/Created After 'yesterday-ish' is not a date and time/,
		);
		await assert.rejects(
			run(
				listParams({ createdAfter: '2026-11-28T00:00:00Z', createdBefore: '2026-11-27T00:00:00Z' }),
			),
			/Created After must be earlier than Created Before/,
		);
		assert.equal(emu.stats().byRoute['POST jobs'] ?? 0, before);
	});
});

describe('Dataset → Get and Delete', () => {
	test('Get gives item_count, the number of items in the dataset', async () => {
		const ds = emu.createDataset('counted');
		const job = emu.createJob(
			ds,
			Array.from({ length: 42 }, (_, n) => ({
				reference_id: `r${n}`,
				image_url: `s3://b/${n}.jpg`,
			})),
		);
		await emu.finishJob(job.job_id);
		const { output } = await run({ resource: 'dataset', operation: 'get', datasetId: rl(ds) });
		assert.equal(output[0][0].json.item_count, 42);
		assert.equal(output[0][0].json.name, 'counted');
	});

	test('Delete says how many items it deleted; the dataset is gone afterwards', async () => {
		const ds = emu.createDataset('doomed');
		const job = emu.createJob(
			ds,
			Array.from({ length: 7 }, (_, n) => ({
				reference_id: `r${n}`,
				image_url: `s3://b/${n}.jpg`,
			})),
		);
		await emu.finishJob(job.job_id);
		const { output } = await run({ resource: 'dataset', operation: 'delete', datasetId: rl(ds) });
		assert.deepEqual(output[0][0].json, {
			deleted: true,
			dataset_id: ds,
			name: 'doomed',
			items_deleted: 7,
			message: `Beginning dataset deletion for ${ds}...`,
		});
		await assert.rejects(
			run({ resource: 'dataset', operation: 'get', datasetId: rl(ds) }),
			(error: Error & { httpCode?: string }) => String(error.httpCode) === '404',
		);
		const again = await run(
			{ resource: 'dataset', operation: 'delete', datasetId: rl(ds) },
			[{ json: {} }],
			{ onError: 'continueRegularOutput' },
		);
		// Only the keys n8n's error output accepts (error, message, details).
		assert.deepEqual(again.output[0][0].json.details, { item: 0 });
		assert.deepEqual(Object.keys(again.output[0][0].json), ['error', 'details']);
		assert.match(String(again.output[0][0].json.error), /not found|404/i);
	});
});
