/**
 * Why a poll failed (ScaleNucleusTrigger/failure.ts): every error a poll ends with declares the
 * cause n8n's poll back-off reads; the transport's errors pass through unchanged.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { UnexpectedAnswerError } from '../../nodes/shared/api/unexpected';
import { OtherJobAnswerError } from '../../nodes/shared/api/jobs';
import { pollError, type PollStage } from '../../nodes/ScaleNucleusTrigger/failure';

const node: INode = {
	id: 'n1',
	name: 'Scale Nucleus Trigger',
	type: 'n8n-nodes-scale-nucleus.scaleNucleusTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('the cause a poll error declares', () => {
	const cases: Array<[string, () => unknown, PollStage, string | undefined]> = [
		[
			'a parameter the trigger refuses',
			() => new NodeOperationError(node, 'Choose the dataset whose jobs to watch'),
			'parameters',
			'configuration-invalid',
		],
		[
			'an expression in a parameter that fails',
			() => new Error('invalid syntax'),
			'parameters',
			'configuration-invalid',
		],
		[
			'a 2xx answer that is not what Nucleus sends',
			() => new UnexpectedAnswerError('Nucleus answered POST jobs/ with an HTML page', 'Check.'),
			'poll',
			'temporarily-unavailable',
		],
		[
			'a status about another job (the test event)',
			() => new OtherJobAnswerError('GET job/job_a', 'job_a', 'job_b'),
			'poll',
			'temporarily-unavailable',
		],
		[
			'a bug',
			() => new TypeError("Cannot read properties of undefined (reading 'x')"),
			'poll',
			'node-defect',
		],
		[
			'a node error of the poll without a cause (no finished job for the test event)',
			() => new NodeOperationError(node, 'No finished job found'),
			'poll',
			undefined,
		],
	];
	for (const [what, make, stage, cause] of cases) {
		test(`${what}: ${cause ?? 'none'}`, () => {
			const original = make();
			const error = pollError(node, original, stage);
			assert.ok(error instanceof NodeOperationError);
			assert.equal(error.failure?.cause, cause);
			assert.equal(error.message, (original as Error).message, 'the message is kept');
			if (original instanceof UnexpectedAnswerError) {
				assert.equal(error.description, original.description, 'and the description');
			}
		});
	}

	test('an error of the transport passes unchanged, its declared cause included', () => {
		const transport = new NodeApiError(
			node,
			{ message: 'Nucleus API error 429' },
			{ httpCode: '429', failure: { cause: 'rate-limited', retryAfterMs: 3_600_000 } },
		);
		assert.equal(pollError(node, transport, 'poll'), transport);
		assert.deepEqual(transport.failure, { cause: 'rate-limited', retryAfterMs: 3_600_000 });
		const undeclared = new NodeApiError(node, { message: 'x' }, { httpCode: '418' });
		assert.equal(pollError(node, undeclared, 'poll'), undeclared);
		assert.equal(undeclared.failure, undefined);
	});

	test('a declared cause is kept', () => {
		const declared = new NodeOperationError(node, 'x', { failure: { cause: 'node-defect' } });
		assert.equal(pollError(node, declared, 'parameters'), declared);
		assert.equal(declared.failure?.cause, 'node-defect');
	});
});
