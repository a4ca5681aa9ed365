/**
 * The trigger's cursor as stored in the workflow (ScaleNucleusTrigger/state.ts): what is written can
 * be read back, foreign or malformed data is ignored, and the scope fingerprint is stable.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import type { JobObservation } from '../../nodes/shared/jobs/observation';
import { applyPoll, beginPoll, type PollSettings } from '../../nodes/ScaleNucleusTrigger/decide';
import {
	forget,
	isForgotten,
	MAX_FORGOTTEN,
	readState,
	scopeKey,
	writeState,
} from '../../nodes/ScaleNucleusTrigger/state';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');

const job = (id: string, status: string, createdMs: number): JobObservation => ({
	job_id: id,
	status,
	created_at: new Date(createdMs).toISOString(),
	job_type: 'uploadDatasetItems',
	dataset_id: 'ds_1',
});

const settings: PollSettings = {
	scope: 'scope-a',
	emitOn: ['completed', 'erroredAny', 'cancelled'],
	emitProgress: false,
	emitHistory: false,
	lookbackDays: 2,
	windowed: true,
};

/** The state after a first poll that saw `jobs`. */
function firstPoll(jobs: JobObservation[]) {
	return applyPoll(beginPoll(undefined, settings, new Date(T0)), jobs, [], settings);
}

describe('scope', () => {
	test('the scope fingerprint ignores order/duplicates but changes with what is watched', () => {
		const a = scopeKey('all', { jobTypes: ['uploadDatasetItems', 'cloneDataset'] });
		assert.equal(
			a,
			scopeKey('all', { jobTypes: ['cloneDataset', 'uploadDatasetItems', 'cloneDataset'] }),
		);
		assert.notEqual(a, scopeKey('all', { jobTypes: ['uploadDatasetItems'] }));
		assert.notEqual(
			scopeKey('dataset', { datasetId: 'ds_1', jobTypes: [] }),
			scopeKey('dataset', { datasetId: 'ds_2', jobTypes: [] }),
		);
		// the dataset id does not matter when all jobs are watched
		assert.equal(scopeKey('all', { datasetId: 'ds_1' }), scopeKey('all', { datasetId: 'ds_2' }));
		assert.equal(
			scopeKey('jobIds', { jobIds: ['b', 'a'] }),
			scopeKey('jobIds', { jobIds: ['a', 'b', 'a'] }),
		);
		assert.match(a, /^[0-9a-f]{8}$/);
	});
});

describe('state storage', () => {
	test('writeState replaces the static data in place and readState returns an equal plain copy', () => {
		const { state } = firstPoll([
			job('job_1', 'Completed', T0 - 1000),
			job('job_2', 'Running', T0),
		]);
		const staticData: IDataObject = { lastTimeChecked: 'old format', emitted: { stale: true } };
		const ref = staticData;
		writeState(staticData, state);
		assert.equal(ref, staticData);
		assert.equal('lastTimeChecked' in staticData, false);
		assert.deepEqual(readState(staticData), state);
		// only JSON: strings, numbers, arrays and plain objects
		assert.deepEqual(JSON.parse(JSON.stringify(staticData)), staticData);
	});

	test('readState ignores missing, foreign and malformed data', () => {
		assert.equal(readState(undefined), undefined);
		assert.equal(readState({}), undefined);
		assert.equal(readState({ lastTimeChecked: '2026-01-01' }), undefined);
		assert.equal(readState({ v: 99, scope: 'x', initializedAt: 'y' }), undefined);
		const partial = readState({
			v: 1,
			scope: 's',
			initializedAt: '2026-01-01T00:00:00.000Z',
			emitted: { a: ['Completed', ''], b: 'junk' },
			progress: { a: 'NaN' },
		});
		assert.deepEqual(partial?.emitted, { a: ['Completed', ''] });
		assert.deepEqual(partial?.progress, {});
		assert.equal(partial?.lastPollAt, '2026-01-01T00:00:00.000Z');
		assert.equal('forgotten' in partial!, false);
		for (const junk of ['', 'abc', 'ZZZZZZZZ', 42]) {
			const read = readState({ v: 1, scope: 's', initializedAt: 'y', forgotten: junk });
			assert.equal(read?.forgotten, undefined, JSON.stringify(junk));
		}
	});

	test('forgotten jobs: remembered per final status, read back, bounded', () => {
		const state = readState({ v: 1, scope: 's', initializedAt: 'y' })!;
		forget(state, 'job_1', 'Completed');
		assert.equal(isForgotten(state, 'job_1', 'Completed'), true);
		assert.equal(isForgotten(state, 'job_1', 'Errored'), false);
		assert.equal(isForgotten(state, 'job_2', 'Completed'), false);
		const staticData: IDataObject = {};
		writeState(staticData, state);
		assert.match(String(staticData.forgotten), /^[0-9a-f]{8}$/);
		assert.equal(isForgotten(readState(staticData)!, 'job_1', 'Completed'), true);
		for (let i = 0; i < MAX_FORGOTTEN; i++) forget(state, `job_x${i}`, 'Completed');
		assert.equal(state.forgotten?.length, MAX_FORGOTTEN * 8);
		assert.equal(isForgotten(state, 'job_1', 'Completed'), false, 'the oldest went first');
		assert.equal(isForgotten(state, `job_x${MAX_FORGOTTEN - 1}`, 'Completed'), true);
	});
});

describe('compatibility with stored cursors', () => {
	// Active triggers hold these in their workflows' static data; the values were written by the
	// version that introduced the format (v1). A different fingerprint would re-initialise every
	// trigger; a different key or layout would make readState drop the cursor.
	test('scope fingerprints of v1 are unchanged', () => {
		assert.equal(scopeKey('all', { jobTypes: [] }), 'b3d203bc');
		assert.equal(
			scopeKey('dataset', { datasetId: 'ds_1', jobTypes: ['uploadDatasetItems'] }),
			'c2a1b139',
		);
		assert.equal(scopeKey('jobIds', { jobIds: ['job_b', 'job_a'] }), '1c61ddf3');
	});

	test('a v1 cursor is read as it was written, and the same two polls write it byte for byte', () => {
		const stored =
			'{"v":1,"scope":"scope-a","initializedAt":"2026-03-10T12:00:00.000Z","lastPollAt":"2026-03-10T12:01:00.000Z","floor":null,"emitted":{"job_1":["Completed","2026-03-10T11:59:59.000Z"],"job_3":["Errored_User",""]},"pending":{"job_2":"2026-03-10T12:00:00.000Z"},"progress":{"job_2":0.5}}';
		assert.equal(JSON.stringify(readState(JSON.parse(stored) as IDataObject)), stored);

		const withProgress = { ...settings, emitProgress: true };
		const p1 = applyPoll(
			beginPoll(undefined, withProgress, new Date(T0)),
			[job('job_1', 'Completed', T0 - 1000), { ...job('job_2', 'Running', T0), progress: 0.25 }],
			[],
			withProgress,
		);
		const p2 = applyPoll(
			beginPoll(p1.state, withProgress, new Date(T0 + 60_000)),
			[
				{ ...job('job_2', 'Running', T0), progress: 0.5 },
				{ ...job('job_3', 'Errored_User', T0), created_at: null },
			],
			[],
			withProgress,
		);
		const staticData: IDataObject = {};
		writeState(staticData, p2.state);
		assert.equal(JSON.stringify(staticData), stored);
	});
});
