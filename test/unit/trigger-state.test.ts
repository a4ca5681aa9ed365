/**
 * The trigger's cursor as stored in the workflow (ScaleNucleusTrigger/state.ts): what is written can
 * be read back, foreign or malformed data is ignored, and the scope fingerprint is stable.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import type { IDataObject } from 'n8n-workflow';

import type { JobObservation } from '../../nodes/shared/jobs/observation';
import { applyPoll, beginPoll, type PollSettings } from '../../nodes/ScaleNucleusTrigger/decide';
import { readState, scopeKey, writeState } from '../../nodes/ScaleNucleusTrigger/state';

const T0 = Date.parse('2026-03-10T12:00:00.000Z');

const job = (id: string, status: string, createdMs: number): JobObservation => ({
	job_id: id,
	status,
	created_at: new Date(createdMs).toISOString(),
	job_type: 'uploadDatasetItems',
	dataset_id: 'ds_1',
});

/** The state after a first poll that saw `jobs`. */
function firstPoll(jobs: JobObservation[]) {
	const settings: PollSettings = {
		scope: 'scope-a',
		emitOn: ['completed', 'erroredAny', 'cancelled'],
		emitProgress: false,
		emitHistory: false,
		lookbackDays: 2,
		windowed: true,
	};
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
	});
});
