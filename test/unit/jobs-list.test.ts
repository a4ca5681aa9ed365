/**
 * Listing jobs (shared/jobs/list.ts): the `POST jobs/` body and day strings, Job → Get Many's query
 * and exact window, the order jobs are listed in, and the warnings about an odd or cut list.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { readJobList, type ListedJob } from '../../nodes/shared/api/jobs';
import {
	JOB_LIST_LIMIT,
	dayString,
	jobListBody,
	jobListFilter,
	jobListWarnings,
	matchesQuery,
	matchingJobs,
	newestFirst,
	recentDatasetJobsFilter,
	sortByCreation,
	toIso,
	type JobListQuery,
} from '../../nodes/shared/jobs/list';

describe('the job list query', () => {
	const query = (q: Partial<JobListQuery>): JobListQuery => ({
		datasetId: null,
		jobTypes: [],
		statuses: [],
		after: null,
		before: null,
		...q,
	});
	const job = (id: string, created: string | null, status = 'Completed'): ListedJob => ({
		job_id: id,
		status,
		job_type: 'uploadDatasetItems',
		dataset_id: 'ds_a',
		job_creation_time: created,
	});

	test('asks a day of margin on each side, the largest list, and Completed jobs only when wanted', () => {
		const q = query({
			after: Date.parse('2026-11-27T10:00:00Z'),
			before: Date.parse('2026-11-28T00:00:00Z'),
			statuses: ['Running'],
		});
		assert.deepEqual(jobListFilter(q), {
			datasetId: null,
			jobTypes: [],
			fromDate: '2026-11-26',
			toDate: '2026-11-29',
			limit: 50_000,
			showCompleted: false,
		});
		assert.equal(jobListFilter(query({ statuses: ['Completed', 'Queued'] })).showCompleted, true);
		assert.equal(jobListFilter(query({})).showCompleted, true);
	});

	test('the exact window: created at or after After, before Before; a job of unknown time is left out', () => {
		const q = query({
			after: Date.parse('2026-11-27T10:00:00Z'),
			before: Date.parse('2026-11-27T12:00:00Z'),
		});
		assert.equal(matchesQuery(job('a', '2026-11-27T10:00:00.000Z'), q), true);
		assert.equal(matchesQuery(job('b', '2026-11-27T12:00:00.000Z'), q), false);
		assert.equal(matchesQuery(job('c', '2026-11-27T09:59:59.999Z'), q), false);
		assert.equal(matchesQuery(job('d', null), q), false);
		assert.equal(matchesQuery(job('d', null), query({})), true);
		assert.equal(
			matchesQuery(job('e', null, 'errored_user'), query({ statuses: ['Errored'] })),
			true,
		);
		assert.equal(matchesQuery(job('f', null, 'Retried'), query({ statuses: ['Running'] })), false);
	});

	test('newest first, unknown times last, ties by job ID', () => {
		const sorted = newestFirst([
			job('x', null),
			job('b', '2026-11-27T10:00:00Z'),
			job('a', '2026-11-27T10:00:00Z'),
			job('n', '2026-11-28T10:00:00Z'),
		]);
		assert.deepEqual(
			sorted.map((j) => j.job_id),
			['n', 'a', 'b', 'x'],
		);
	});
});

describe('creation times and days', () => {
	test('toIso normalizes creation times and rejects garbage', () => {
		assert.equal(toIso('2026-03-10T12:00:00Z'), '2026-03-10T12:00:00.000Z');
		assert.equal(toIso('2026-03-10T12:00:00'), '2026-03-10T12:00:00.000Z', 'no zone: UTC');
		assert.equal(toIso(1_773_144_000_000), '2026-03-10T12:00:00.000Z', 'epoch ms');
		assert.equal(toIso('not a date'), null);
		assert.equal(toIso(undefined), null);
		assert.equal(toIso(''), null);
	});

	test('a day string is the UTC day of the time', () => {
		for (const [iso, day] of [
			['2026-03-10T00:00:00.000Z', '2026-03-10'],
			['2026-03-10T23:59:59.999Z', '2026-03-10'],
			['2026-03-10T23:30:00-02:00', '2026-03-11'],
			['2024-02-29T12:00:00Z', '2024-02-29'],
		]) {
			assert.equal(dayString(Date.parse(iso)), day, iso);
		}
	});
});

describe('the order of jobs', () => {
	const entry = (id: string, created: string | null) => ({ id, created });
	const key = (e: { id: string; created: string | null }) => [e.id, e.created] as const;
	const ids = (list: Array<{ id: string }>) => list.map((e) => e.id);
	const jobs = [
		entry('u2', null),
		entry('late', '2026-03-10T12:00:00Z'),
		entry('b', '2026-03-10T10:00:00.000Z'),
		entry('u1', 'not a date'),
		entry('a', '2026-03-10T10:00:00Z'),
		entry('early', '2026-03-09T23:00:00-02:00'),
	];

	for (const [order, expected] of [
		['oldestFirst', ['early', 'a', 'b', 'late', 'u1', 'u2']],
		['newestFirst', ['late', 'a', 'b', 'early', 'u1', 'u2']],
	] as const) {
		test(`${order}: by creation time, unknown or unparseable times last, ties by job ID`, () => {
			const before = JSON.stringify(jobs);
			assert.deepEqual(ids(sortByCreation(jobs, key, order)), expected);
			assert.equal(JSON.stringify(jobs), before, 'the input is not modified');
		});
	}
});

describe('the POST jobs/ body', () => {
	test('keys in the order of the SDK payload; look-first lists one dataset since yesterday, every type', () => {
		const body = jobListBody(recentDatasetJobsFilter('ds_a', Date.parse('2026-03-10T00:30:00Z')));
		assert.deepEqual(Object.entries(body), [
			['dataset_id', 'ds_a'],
			['job_types', []],
			['from_date', '2026-03-09'],
			['to_date', null],
			['limit', JOB_LIST_LIMIT],
			['show_completed', true],
		]);
	});

	test('entries of another type or dataset than asked for are left out; entries that do not say are kept', () => {
		const listed = (id: string, type: string | null, dataset: string | null): ListedJob => ({
			job_id: id,
			status: 'Completed',
			job_type: type,
			dataset_id: dataset,
			job_creation_time: null,
		});
		const jobs = [
			listed('a', 'uploadDatasetItems', 'ds_a'),
			listed('b', 'cloneDataset', 'ds_a'),
			listed('c', 'uploadDatasetItems', 'ds_b'),
			listed('d', null, null),
		];
		const filter = { ...recentDatasetJobsFilter('ds_a', 0), jobTypes: ['uploadDatasetItems'] };
		assert.deepEqual(
			matchingJobs(jobs, filter).map((j) => j.job_id),
			['a', 'd'],
		);
		const everyJob = { ...filter, datasetId: null, jobTypes: [] };
		assert.equal(matchingJobs(jobs, everyJob).length, 4);
	});
});

describe('warnings about the list', () => {
	for (const [listed, expected] of [
		[{ skipped: 0, reachedLimit: false }, []],
		[
			{ skipped: 1, firstSkipped: 'entry 3: job_id is missing', reachedLimit: false },
			[
				'N: 1 entry of the job list (POST jobs/) had no usable job ID and were skipped (entry 3: job_id is missing)',
			],
		],
		[
			{ skipped: 2, firstSkipped: 'entry 0: x', reachedLimit: true },
			[
				'N: 2 entries of the job list (POST jobs/) had no usable job ID and were skipped (entry 0: x)',
				"N: the job list reached the API's limit of 50000 jobs; older jobs are not listed.",
			],
		],
		[
			{ skipped: 0, reachedLimit: true, beyondLimit: 3 },
			[
				'N: the job list (POST jobs/) answered 3 more entries than the limit of 50000 it was asked for; only the first 50000 were read, so older jobs are not listed.',
			],
		],
	] as const) {
		test(`${listed.skipped} skipped, ${listed.reachedLimit ? '' : 'not '}at the limit`, () => {
			assert.deepEqual(jobListWarnings(listed, 'N', 'older jobs are not listed.'), expected);
		});
	}
});

describe('reading the list (api/jobs.ts readJobList)', () => {
	const entries = (n: number) =>
		Array.from({ length: n }, (_, k) => ({
			job_id: `job_${k}`,
			job_last_known_status: 'Completed',
			job_creation_time: k % 2 === 0 ? '2026-03-10T12:00:00' : 1_773_144_000_000,
		}));

	test('a server that ignores the limit: only `limit` entries are read, the rest counted', () => {
		const listed = readJobList(entries(7), 'POST jobs/', 5);
		assert.deepEqual(
			listed.jobs.map((j) => j.job_id),
			['job_0', 'job_1', 'job_2', 'job_3', 'job_4'],
		);
		assert.equal(listed.beyondLimit, 2);
	});

	test('creation times are kept as sent, text or number', () => {
		const listed = readJobList(entries(2), 'POST jobs/');
		assert.deepEqual(
			listed.jobs.map((j) => j.job_creation_time),
			['2026-03-10T12:00:00', 1_773_144_000_000],
		);
		assert.equal(listed.beyondLimit, 0);
	});
});
