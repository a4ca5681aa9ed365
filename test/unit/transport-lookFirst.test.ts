/**
 * Look-first's decisions (nodes/shared/transport/lookFirst.ts), as tables: what is taken as this
 * request's after a lost answer, and what is not (a name, an item count, an older job, a list that
 * cannot be read).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { jobListBody } from '../../nodes/shared/jobs/list';
import {
	CLOCK_SKEW_MS,
	judgeCreateLook,
	judgeUploadJobs,
	uploadJobCandidates,
	uploadJobsFilter,
	type CandidateJob,
} from '../../nodes/shared/transport/lookFirst';

describe('judgeCreateLook: a dataset is never adopted by name', () => {
	const ds = (id: string, name: string) => ({ id, name, is_public: false });
	const cases: Array<[string, unknown, string | RegExp]> = [
		['no dataset of that name: create again', [ds('ds_1', 'other')], 'notDone'],
		['an empty list: create again', [], 'notDone'],
		[
			'one of that name: cannot tell, named',
			[ds('ds_1', 'cars'), ds('ds_2', 'x')],
			/"cars" exists \(ds_1\)/,
		],
		[
			'two of that name: cannot tell, both named',
			[ds('ds_1', 'cars'), ds('ds_2', 'cars')],
			/2 datasets named "cars" exist \(ds_1, ds_2\)/,
		],
		['a 2xx that is not a list', { datasets: [] }, /could not be read/],
		['a text body', '<html>', /could not be read/],
		['entries without an ID are not datasets', [{ name: 'cars' }, null], 'notDone'],
	];
	for (const [what, list, expected] of cases) {
		test(what, () => {
			const result = judgeCreateLook(list, 'cars');
			if (typeof expected === 'string') assert.deepEqual(result, { state: expected });
			else {
				assert.equal(result.state, 'unknown');
				assert.match(result.state === 'unknown' ? result.finding : '', expected);
			}
		});
	}

	test('many of that name: the first ten are named, the rest counted', () => {
		const list = Array.from({ length: 13 }, (_, k) => ds(`ds_${k}`, 'cars'));
		const result = judgeCreateLook(list, 'cars');
		assert.match(result.state === 'unknown' ? result.finding : '', /ds_9 and 3 more\)/);
	});
});

const SENT = Date.parse('2026-12-07T12:00:00Z');
const iso = (offsetMs: number) => new Date(SENT + offsetMs).toISOString();

describe('uploadJobsFilter: the narrowest listing the API offers', () => {
	test('this dataset’s append jobs from the UTC day before the first send', () => {
		assert.deepEqual(jobListBody(uploadJobsFilter('ds_1', Date.parse('2026-12-07T00:30:00Z'))), {
			dataset_id: 'ds_1',
			job_types: ['uploadDatasetItems'],
			from_date: '2026-12-06',
			to_date: null,
			limit: 50_000,
			show_completed: true,
		});
	});
});

describe('uploadJobCandidates: which listed jobs may be this request’s', () => {
	const job = (id: string, extra: Record<string, unknown> = {}) => ({
		job_id: id,
		job_last_known_status: 'Running',
		job_type: 'uploadDatasetItems',
		job_creation_time: iso(1_000),
		...extra,
	});
	const cases: Array<[string, unknown, string[] | undefined]> = [
		['created after the first send', [job('a')], ['a']],
		[
			'created within the clock skew before it',
			[job('a', { job_creation_time: iso(-CLOCK_SKEW_MS + 1) })],
			['a'],
		],
		[
			'created before the skew: never ours',
			[job('a', { job_creation_time: iso(-CLOCK_SKEW_MS - 1) })],
			[],
		],
		['hours before: never ours', [job('a', { job_creation_time: iso(-5 * 3600_000) })], []],
		[
			'a zone-less time is UTC',
			[job('a', { job_creation_time: iso(-3600_000).replace('Z', '') })],
			[],
		],
		[
			'an unreadable time is kept (cannot be ruled out)',
			[job('a', { job_creation_time: 'yesterday-ish' })],
			['a'],
		],
		['another dataset’s job', [job('a', { dataset_id: 'ds_2' })], []],
		['this dataset’s job', [job('a', { dataset_id: 'ds_1' })], ['a']],
		['another type of job', [job('a', { job_type: 'metadataUpdate' })], []],
		['entries without an ID', [{ job_last_known_status: 'Running' }, null, 'x', job('b')], ['b']],
		['a 2xx that is not a list: unreadable', { jobs: 'temporarily unavailable' }, undefined],
		['an empty list', [], []],
	];
	for (const [what, list, expected] of cases) {
		test(what, () => {
			const found = uploadJobCandidates(list, 'ds_1', SENT);
			assert.deepEqual(
				found?.map((j) => j.job_id),
				expected,
			);
		});
	}
});

describe('judgeUploadJobs: a job is ours only when its status names this upload', () => {
	const REQUEST_ID = 'a'.repeat(32);
	const evidence = {
		requestId: REQUEST_ID,
		uploadPath: '/nucleus-uploads/ds_1/upload-0b1c2d3e.ndjson',
		firstSentAtMs: SENT,
	};
	const candidate = (id: string, createdMs: number | undefined = SENT + 1_000): CandidateJob => ({
		job_id: id,
		createdMs,
		entry: { job_id: id },
	});
	const status = (payloadUrl: string, total = 3) => ({
		job_id: 'x',
		status: 'Running',
		message: { PayloadUrl: payloadUrl, ingest_to_reupload_queue: { total } },
	});
	const ours = status(`s3://nucleus-uploads/ds_1/${REQUEST_ID}.ndjson`);
	const theirs = status(`s3://nucleus-uploads/ds_1/${'f'.repeat(32)}.ndjson`);

	const cases: Array<[string, Array<{ job: CandidateJob; status: unknown }>, unknown]> = [
		['no candidates: send again', [], { state: 'notDone' }],
		[
			'the status names the requestId',
			[{ job: candidate('j1'), status: ours }],
			{ state: 'done', answer: { job_id: 'j1' } },
		],
		[
			'the status names the upload’s path',
			[
				{
					job: candidate('j1'),
					status: status('s3://nucleus-uploads/ds_1/upload-0b1c2d3e.ndjson'),
				},
			],
			{ state: 'done', answer: { job_id: 'j1' } },
		],
		[
			'a job of the same size over another upload: not ours',
			[{ job: candidate('j1'), status: theirs }],
			{ state: 'notDone' },
		],
		[
			'a status of the wrong shape names nothing',
			[{ job: candidate('j1'), status: 'ok' }],
			{ state: 'notDone' },
		],
		[
			'ours among others: ours',
			[
				{ job: candidate('j1'), status: theirs },
				{ job: candidate('j2'), status: ours },
			],
			{ state: 'done', answer: { job_id: 'j2' } },
		],
		[
			'two of ours (an earlier repeat started one too): the earliest',
			[
				{ job: candidate('j2', SENT + 5_000), status: ours },
				{ job: candidate('j1', SENT + 1_000), status: ours },
			],
			{ state: 'done', answer: { job_id: 'j1' } },
		],
		[
			'named, but created before the request was sent: not ours',
			[{ job: candidate('j1', SENT - CLOCK_SKEW_MS - 1), status: ours }],
			{ state: 'notDone' },
		],
		[
			'a status that could not be read, none named: cannot tell',
			[
				{ job: candidate('j1'), status: theirs },
				{ job: candidate('j2'), status: new Error('HTTP 503') },
			],
			{ state: 'unknown', finding: 'the status of job j2 could not be read' },
		],
		[
			'a status that could not be read, but ours found: ours',
			[
				{ job: candidate('j1'), status: new Error('HTTP 503') },
				{ job: candidate('j2'), status: ours },
			],
			{ state: 'done', answer: { job_id: 'j2' } },
		],
	];
	for (const [what, candidates, expected] of cases) {
		test(what, () => {
			assert.deepEqual(judgeUploadJobs(candidates, evidence), expected);
		});
	}

	test('a short upload path is no evidence (it could be in anyone’s status)', () => {
		const short = { ...evidence, uploadPath: '/upload' };
		const result = judgeUploadJobs(
			[{ job: candidate('j1'), status: status('s3://x/upload') }],
			short,
		);
		assert.deepEqual(result, { state: 'notDone' });
	});
});
