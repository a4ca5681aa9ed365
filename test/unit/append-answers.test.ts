/**
 * How Append reads what the server answered and turns it into per-item outcomes (pure modules:
 * shared/api/answers.ts, datasetItem/append/outcomes.ts, datasetItem/append/plan.ts,
 * datasetItem/shared/groupByDataset.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { readAppendAnswer, type AppendCounts } from '../../nodes/shared/api/answers';
import { normalizeJobStatus } from '../../nodes/shared/jobs/status';
import { parseJobErrors } from '../../nodes/shared/jobs/errors';
import {
	outcomesFromCounts,
	outcomesFromJob,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/outcomes';
import {
	uniqueImageName,
	type RemoteItem,
} from '../../nodes/ScaleNucleus/actions/datasetItem/append/plan';
import { groupByDataset } from '../../nodes/ScaleNucleus/actions/datasetItem/shared/groupByDataset';

const item = (
	i: number,
	ref = `r${i}`,
	url = `https://h.example/${ref}.jpg`,
	ds = 'ds_a',
): RemoteItem => ({
	kind: 'remote',
	itemIndex: i,
	datasetId: ds,
	payload: { reference_id: ref, image_url: url, metadata: {} },
});

const counts = (c: Partial<AppendCounts>): AppendCounts => ({
	new_items: 0,
	updated_items: 0,
	ignored_items: 0,
	upload_errors: 0,
	error_payload: [],
	...c,
});

const status = (s: string, jobId = 'job_1') =>
	normalizeJobStatus({ job_id: jobId, status: s, job_progress: '1.00' }, jobId);

describe('readAppendAnswer', () => {
	test('an AsyncJob is a job, whatever form was sent; the status defaults to Queued', () => {
		const a = readAppendAnswer(
			{
				job_id: 'job_x',
				job_last_known_status: 'Running',
				job_type: 'uploadDatasetItems',
				job_creation_time: 't',
			},
			'ds_a',
		);
		assert.deepEqual(a, {
			kind: 'job',
			job: {
				job_id: 'job_x',
				job_last_known_status: 'Running',
				job_type: 'uploadDatasetItems',
				job_creation_time: 't',
			},
		});
		const b = readAppendAnswer({ job_id: 'job_y' }, 'ds_a');
		assert.equal(b.kind, 'job');
		assert.equal(b.kind === 'job' && b.job.job_last_known_status, 'Queued');
	});

	test('complete counts are counts', () => {
		const a = readAppendAnswer(
			{ dataset_id: 'ds_a', new_items: 2, updated_items: 0, ignored_items: 1, upload_errors: 0 },
			'ds_a',
		);
		assert.deepEqual(a, { kind: 'counts', counts: counts({ new_items: 2, ignored_items: 1 }) });
	});

	for (const [name, raw] of [
		['an HTML page', '<html><body>OK</body></html>'],
		['an empty object', {}],
		['an empty body', ''],
		['a job without an id', { job_last_known_status: 'Queued' }],
		['a job with an empty id', { job_id: '' }],
		['counts missing a key', { new_items: 1, updated_items: 0, ignored_items: 0 }],
		[
			'counts that are strings',
			{ new_items: '1', updated_items: 0, ignored_items: 0, upload_errors: 0 },
		],
		['negative counts', { new_items: -1, updated_items: 0, ignored_items: 0, upload_errors: 0 }],
		[
			'an error payload that is not a list',
			{ new_items: 0, updated_items: 0, ignored_items: 0, upload_errors: 1, error_payload: 'x' },
		],
		['an array', [{ job_id: 'job_1' }]],
	] as const) {
		test(`${name} is refused with a preview naming the dataset`, () => {
			assert.throws(() => readAppendAnswer(raw, 'ds_a'), /ds_a with neither a job nor item counts/);
		});
	}

	test('counts for another dataset are refused', () => {
		assert.throws(
			() =>
				readAppendAnswer(
					{
						dataset_id: 'ds_b',
						new_items: 1,
						updated_items: 0,
						ignored_items: 0,
						upload_errors: 0,
					},
					'ds_a',
				),
			/counts for dataset ds_b/,
		);
	});
});

describe('outcomesFromCounts (pre-2026 answers)', () => {
	test('one category for all accepted items is reported exactly; listed failures fail', () => {
		const items = [item(0), item(1), item(2)];
		const out = outcomesFromCounts(
			counts({
				new_items: 2,
				upload_errors: 1,
				error_payload: [{ reference_id: 'r1', error: 'bad url' }],
			}),
			items,
		);
		assert.deepEqual(
			out.map((r) => [r.itemIndex, r.outcome, r.succeeded, r.error]),
			[
				[0, 'new', true, undefined],
				[1, 'failed', false, 'bad url'],
				[2, 'new', true, undefined],
			],
		);
	});

	test('mixed categories are appended', () => {
		const out = outcomesFromCounts(counts({ new_items: 1, updated_items: 1 }), [item(0), item(1)]);
		assert.deepEqual(
			out.map((r) => r.outcome),
			['appended', 'appended'],
		);
	});

	test('a failure counted but not listed leaves the other items unconfirmed, never succeeded', () => {
		const out = outcomesFromCounts(counts({ new_items: 1, upload_errors: 1 }), [item(0), item(1)]);
		assert.deepEqual(
			out.map((r) => [r.outcome, r.succeeded]),
			[
				['unconfirmed', false],
				['unconfirmed', false],
			],
		);
		assert.match(out[0].error!, /without saying which failed/);
	});

	test('counts that do not cover every item leave them unconfirmed', () => {
		const out = outcomesFromCounts(counts({ new_items: 1 }), [item(0), item(1), item(2)]);
		assert.deepEqual(
			out.map((r) => r.outcome),
			['unconfirmed', 'unconfirmed', 'unconfirmed'],
		);
	});

	test('a one-item request with an unlisted failure has failed', () => {
		const out = outcomesFromCounts(counts({ upload_errors: 1 }), [item(0)]);
		assert.equal(out[0].outcome, 'failed');
	});
});

describe('outcomesFromJob', () => {
	const items = [item(0), item(1), item(2)];
	const err = (url: string) => `Failure when processing the image "${url}": could not fetch image`;

	test('Completed with no errors: every item appended, with the job', () => {
		const out = outcomesFromJob(items, status('Completed'), []);
		assert.deepEqual(
			out.map((r) => [r.outcome, r.succeeded, r.job_id]),
			[
				['appended', true, 'job_1'],
				['appended', true, 'job_1'],
				['appended', true, 'job_1'],
			],
		);
	});

	test('an error quoting an item URL fails exactly that item; the others of the partly failed job are appended', () => {
		for (const s of ['Errored_Partial', 'Errored']) {
			const out = outcomesFromJob(
				items,
				status(s),
				parseJobErrors([err(items[1].payload.image_url)]),
			);
			assert.deepEqual(
				out.map((r) => r.outcome),
				['appended', 'failed', 'appended'],
				s,
			);
			assert.match(out[1].error!, /could not fetch image/);
		}
	});

	test('errors that name no item never fail unrelated items: they stay unconfirmed', () => {
		const out = outcomesFromJob(
			items,
			status('Errored_Partial'),
			parseJobErrors(['Something went wrong']),
		);
		assert.deepEqual(
			out.map((r) => [r.outcome, r.succeeded]),
			[
				['unconfirmed', false],
				['unconfirmed', false],
				['unconfirmed', false],
			],
		);
		assert.match(out[0].error!, /1 error\(s\) that name no item, e\.g\. Something went wrong/);
	});

	test('a Completed job with an error naming nobody is not taken as success', () => {
		const out = outcomesFromJob(items, status('Completed'), parseJobErrors(['odd']));
		assert.deepEqual(
			out.map((r) => r.outcome),
			['unconfirmed', 'unconfirmed', 'unconfirmed'],
		);
	});

	test('a one-item job that did not complete has failed, even without errors', () => {
		const out = outcomesFromJob([item(0)], status('Errored_User'), []);
		assert.equal(out[0].outcome, 'failed');
		assert.match(out[0].error!, /Job job_1 ended Errored_User and reported no errors/);
	});

	test('an errored multi-item job without errors leaves its items unconfirmed', () => {
		const out = outcomesFromJob(items, status('Errored_Server'), []);
		assert.deepEqual(
			out.map((r) => r.outcome),
			['unconfirmed', 'unconfirmed', 'unconfirmed'],
		);
	});

	test('local names made unique map an error to exactly one item', () => {
		const used = new Set<string>();
		const names = ['a.jpg', 'a.jpg', 'a.jpg', 'a-2.jpg'].map((n) => uniqueImageName(n, used));
		assert.deepEqual(names, ['a.jpg', 'a-2.jpg', 'a-3.jpg', 'a-2-2.jpg']);
		const local = names.map((n, i) => item(i, `r${i}`, n));
		const out = outcomesFromJob(local, status('Errored_Partial'), parseJobErrors([err('a-2.jpg')]));
		assert.deepEqual(
			out.map((r) => r.outcome),
			['appended', 'failed', 'appended', 'appended'],
		);
	});
});

describe('uniqueImageName and groupByDataset', () => {
	test('names without an extension get a suffix too; groups keep input order', () => {
		const used = new Set<string>();
		assert.deepEqual(
			['x', 'x', '.env', '.env'].map((n) => uniqueImageName(n, used)),
			['x', 'x-2', '.env', '.env-2'],
		);
		const groups = groupByDataset([
			item(0, 'a', 'u', 'ds_1'),
			item(1, 'b', 'u', 'ds_2'),
			item(2, 'c', 'u', 'ds_1'),
		]);
		assert.deepEqual(
			[...groups].map(([ds, l]) => [ds, l.map((p) => p.itemIndex)]),
			[
				['ds_1', [0, 2]],
				['ds_2', [1]],
			],
		);
	});
});
