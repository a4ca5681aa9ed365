/**
 * The pure parts of Update Metadata: how its answers are read (shared/api/metadata.ts) and per-item
 * outcomes (updateMetadata/outcomes.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { readMetadataJob, readMetadataResult } from '../../nodes/shared/api/metadata';
import { UnexpectedAnswerError } from '../../nodes/shared/api/unexpected';
import { parseJobErrors } from '../../nodes/shared/jobs/errors';
import { normalizeJobStatus } from '../../nodes/shared/jobs/status';
import {
	outcomesFromJob,
	outcomesFromResult,
	resultItem,
} from '../../nodes/ScaleNucleus/actions/datasetItem/updateMetadata/outcomes';
import type { PlannedUpdate } from '../../nodes/ScaleNucleus/actions/datasetItem/updateMetadata/plan';

const update = (i: number, ref = `r${i}`): PlannedUpdate => ({
	itemIndex: i,
	datasetId: 'ds_a',
	referenceId: ref,
	metadata: { tag: 'x' },
});

const outcomes = (results: Array<{ outcome: string; update: PlannedUpdate }>) =>
	results.map((r) => [r.update.referenceId, r.outcome]);

describe('reading the answer of a synchronous metadata update', () => {
	/** An UnexpectedAnswerError (never a success) whose message matches. */
	const unexpected = (pattern: RegExp) => (error: unknown) => {
		assert.ok(error instanceof UnexpectedAnswerError, String(error));
		assert.match(error.message, pattern);
		return true;
	};

	test('a count and errors are read; an answer that is not an object, carries only an error or is about another dataset is refused', () => {
		assert.deepEqual(readMetadataResult({ updated_items: 2, errors: ['e'] }, 'ds_a'), {
			updatedItems: 2,
			errors: [{ text: 'e' }],
		});
		assert.deepEqual(readMetadataResult({}, 'ds_a'), { updatedItems: null, errors: [] });
		assert.deepEqual(readMetadataResult({ updated_items: 1.5 }, 'ds_a').updatedItems, null);
		assert.throws(
			() => readMetadataResult('<html>502 Bad Gateway</html>', 'ds_a'),
			unexpected(
				/^Nucleus answered POST dataset\/ds_a\/metadata\?async=0 with an HTML page \('<html>502 Bad Gateway<\/html>'\); expected the result of the metadata update \(a JSON object\)$/,
			),
		);
		assert.throws(
			() => readMetadataResult([], 'ds_a'),
			unexpected(/with a JSON array of 0 entries \('\[\]'\); expected .*a JSON object/),
		);
		assert.throws(
			() => readMetadataResult({ error: 'Dataset is locked', status_code: 409 }, 'ds_a'),
			unexpected(
				/^Nucleus answered POST dataset\/ds_a\/metadata\?async=0 with an error: Dataset is locked$/,
			),
		);
		assert.throws(
			() => readMetadataResult({ dataset_id: 'ds_b', updated_items: 1 }, 'ds_a'),
			unexpected(/metadata\?async=0 about another dataset \(ds_b\)/),
		);
	});

	test('an asynchronous answer must carry a job ID; a missing type is taken as metadataUpdate', () => {
		const { job_creation_time, ...job } = readMetadataJob({ job_id: 'job_1' }, 'ds_a');
		assert.deepEqual(job, {
			job_id: 'job_1',
			job_last_known_status: 'Queued',
			job_type: 'metadataUpdate',
			dataset_id: 'ds_a',
		});
		assert.ok(!Number.isNaN(Date.parse(job_creation_time)), job_creation_time);
		assert.deepEqual(
			readMetadataJob(
				{
					job_id: 'job_2',
					status: 'Running',
					job_type: 'x',
					job_creation_time: 't',
					dataset_id: 'ds_a',
				},
				'ds_a',
			),
			{
				job_id: 'job_2',
				job_last_known_status: 'Running',
				job_type: 'x',
				job_creation_time: 't',
				dataset_id: 'ds_a',
			},
		);
		const noJob = unexpected(
			/^Nucleus answered POST dataset\/ds_a\/metadata\?async=1 with .*; expected the job of the update \(an object with its job_id\)$/,
		);
		assert.throws(() => readMetadataJob({ updated_items: 3 }, 'ds_a'), noJob);
		assert.throws(() => readMetadataJob({ job_id: 'has space' }, 'ds_a'), noJob);
		assert.throws(() => readMetadataJob({ job_id: '..' }, 'ds_a'), noJob);
		assert.throws(() => readMetadataJob('<!doctype html><p>login</p>', 'ds_a'), noJob);
		// A job of another dataset is not this run's job: it is not waited on.
		assert.throws(
			() => readMetadataJob({ job_id: 'job_2', dataset_id: 'ds_b' }, 'ds_a'),
			unexpected(/async=1 with a job of another dataset \(ds_b\)/),
		);
		assert.throws(
			() => readMetadataJob({ error: 'Dataset is locked', status_code: 409 }, 'ds_a'),
			unexpected(/async=1 with an error: Dataset is locked$/),
		);
	});
});

describe('outcomes of a synchronous request', () => {
	const named = parseJobErrors(['Failed for the item with reference_id "r1": nope']);

	test('updated only when the count and the named failures account for every item', () => {
		assert.deepEqual(
			outcomes(
				outcomesFromResult([update(0), update(1), update(2)], { updatedItems: 2, errors: named }),
			),
			[
				['r0', 'updated'],
				['r1', 'failed'],
				['r2', 'updated'],
			],
		);
	});

	test('no count, a count that does not add up, or an error naming nobody leaves the others unconfirmed', () => {
		for (const result of [
			{ updatedItems: null, errors: named },
			{ updatedItems: 1, errors: named },
			{ updatedItems: 3, errors: parseJobErrors(['something went wrong']) },
		]) {
			const r = outcomesFromResult([update(0), update(1), update(2)], result);
			assert.deepEqual(
				outcomes(r).filter(([ref]) => ref !== 'r1'),
				[
					['r0', 'unconfirmed'],
					['r2', 'unconfirmed'],
				],
				JSON.stringify(result),
			);
			assert.match(String(r[0].error), /whether this item was updated is not known/);
		}
		// One item and an error that names nobody: that error is the item's.
		const single = outcomesFromResult([update(0)], {
			updatedItems: 0,
			errors: parseJobErrors(['server said no']),
		});
		assert.deepEqual([single[0].outcome, single[0].error], ['failed', 'server said no']);
	});
	test('a 2xx with no count and no error or failure at all: accepted, routed as a success', () => {
		const cases: Array<[string, Parameters<typeof outcomesFromResult>[1], string]> = [
			['an empty answer', readMetadataResult({}, 'ds_a'), 'accepted'],
			['an empty error list', readMetadataResult({ errors: [] }, 'ds_a'), 'accepted'],
			['no failure counted', readMetadataResult({ failed_items: 0 }, 'ds_a'), 'accepted'],
			['failures counted', readMetadataResult({ failed_items: 2 }, 'ds_a'), 'unconfirmed'],
			['a count', readMetadataResult({ updated_items: 3 }, 'ds_a'), 'updated'],
		];
		for (const [what, result, expected] of cases) {
			const r = outcomesFromResult([update(0), update(1), update(2)], result);
			assert.deepEqual(
				r.map((x) => x.outcome),
				[expected, expected, expected],
				what,
			);
			assert.equal(resultItem(r[0]).json.succeeded, expected !== 'unconfirmed', what);
		}
	});
});

describe('outcomes of a finished job', () => {
	const status = (s: string) =>
		normalizeJobStatus({ job_id: 'job_m', status: s, job_progress: '1.00' });

	test('a failed job whose errors all name their items: the others are updated', () => {
		const r = outcomesFromJob(
			[update(0), update(1)],
			status('Errored_Partial'),
			parseJobErrors(['Failed to update the metadata of the item with reference_id "r0": gone']),
		);
		assert.deepEqual(outcomes(r), [
			['r0', 'failed'],
			['r1', 'updated'],
		]);
		assert.equal(r[1].job_status, 'Errored_Partial');
	});

	test('a Cancelled job, or errors naming no item, leave the items unconfirmed (one item: failed)', () => {
		assert.deepEqual(outcomes(outcomesFromJob([update(0), update(1)], status('Cancelled'), [])), [
			['r0', 'unconfirmed'],
			['r1', 'unconfirmed'],
		]);
		assert.deepEqual(
			outcomes(
				outcomesFromJob([update(0), update(1)], status('Errored_Server'), parseJobErrors(['boom'])),
			),
			[
				['r0', 'unconfirmed'],
				['r1', 'unconfirmed'],
			],
		);
		const one = outcomesFromJob([update(0)], status('Cancelled'), []);
		assert.deepEqual(
			[one[0].outcome, one[0].error],
			['failed', 'Job job_m ended Cancelled and reported no errors'],
		);
	});
});
