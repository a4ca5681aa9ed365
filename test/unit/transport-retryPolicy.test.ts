/**
 * The pure parts of nodes/shared/transport/retryPolicy.ts: the back-off, which statuses and network
 * errors are retried (and in which class), Retry-After, the time budget, and which errors come from
 * the body's own file rather than the connection, and which failed requests may still have been
 * applied.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import {
	backoffMs,
	classifyError,
	classifyStatus,
	defaultBudgetMs,
	defaultKind,
	errorCode,
	isLocalBodyError,
	isRetryableStatus,
	mayHaveApplied,
	networkFailure,
	parseRetryAfter,
	statusFailure,
} from '../../nodes/shared/transport/retryPolicy';

function withCode(code: string, extra: Record<string, unknown> = {}): Error {
	return Object.assign(new Error(`failed: ${code}`), { code }, extra);
}

describe('back-off', () => {
	test('doubles from the base per attempt, with a jitter of 0.5 to 1.5', () => {
		for (const [attempt, exponential] of [
			[1, 500],
			[2, 1000],
			[3, 2000],
			[4, 4000],
		]) {
			assert.equal(
				backoffMs(attempt, 500, 20_000, () => 0),
				exponential / 2,
				`attempt ${attempt}, least`,
			);
			assert.equal(
				backoffMs(attempt, 500, 20_000, () => 0.5),
				exponential,
				`attempt ${attempt}, middle`,
			);
			assert.equal(
				backoffMs(attempt, 500, 20_000, () => 0.999_999),
				Math.round(exponential * 1.499_999),
				`attempt ${attempt}, most`,
			);
		}
	});

	test('the cap bounds the exponential before the jitter; base 0 never waits', () => {
		assert.equal(
			backoffMs(10, 500, 20_000, () => 0.5),
			20_000,
		);
		assert.equal(
			backoffMs(30, 500, 20_000, () => 0.999_999),
			30_000,
		);
		assert.equal(
			backoffMs(6, 500, 20_000, () => 0),
			8_000,
		);
		assert.equal(
			backoffMs(3, 0, 20_000, () => 0.7),
			0,
		);
	});

	test('with the real random source every wait lies within the jitter range', () => {
		for (let i = 0; i < 200; i++) {
			const ms = backoffMs(3, 500, 20_000);
			assert.ok(ms >= 1000 && ms <= 3000, `${ms} ms`);
		}
	});
});

describe('which failures are retried', () => {
	test('each retryable status is retried; other 4xx are not', () => {
		for (const status of [502, 503, 504, 520, 524, 429])
			assert.ok(isRetryableStatus(status), String(status));
		for (const status of [400, 401, 403, 404, 409, 500])
			assert.ok(!isRetryableStatus(status), String(status));
	});

	test('429 was not processed; 502, 503, 504, 520 and 524 are ambiguous; the rest are final', () => {
		assert.equal(classifyStatus(429), 'notProcessed');
		for (const status of [502, 503, 504, 520, 524])
			assert.equal(classifyStatus(status), 'ambiguous');
		for (const status of [200, 400, 401, 403, 404, 409, 413, 500, 501]) {
			assert.equal(classifyStatus(status), undefined, String(status));
		}
	});

	test('no connection made: not processed; a connection that broke or went quiet: ambiguous; others final', () => {
		for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EAI_AGAIN']) {
			assert.equal(classifyError(withCode(code)), 'notProcessed', code);
		}
		for (const code of [
			'ECONNRESET',
			'ETIMEDOUT',
			'EPIPE',
			'UND_ERR_SOCKET',
			'UND_ERR_HEADERS_TIMEOUT',
			'UND_ERR_BODY_TIMEOUT',
		]) {
			assert.equal(classifyError(withCode(code)), 'ambiguous', code);
		}
		assert.equal(classifyError(new Error('other side closed')), 'ambiguous');
		assert.equal(classifyError(withCode('ENOTFOUND')), undefined);
		assert.equal(classifyError(new Error('something else')), undefined);
	});

	test('the code is found on the cause chain and in an AggregateError, never the bare UND_ERR', () => {
		const wrapped = new Error('fetch failed', { cause: withCode('ECONNRESET') });
		assert.equal(errorCode(wrapped), 'ECONNRESET');
		assert.equal(classifyError(wrapped), 'ambiguous');
		const aggregate = new AggregateError([withCode('ECONNREFUSED')], 'all failed');
		assert.equal(errorCode(aggregate), 'ECONNREFUSED');
		assert.equal(errorCode(withCode('UND_ERR')), undefined);
		const loop: { code?: string; cause?: unknown } = {};
		loop.cause = loop;
		assert.equal(errorCode(loop), undefined, 'a cause cycle ends');
	});

	test('a failure carries its class, status or code, and the Retry-After asked for', () => {
		const answer = { status: 429, contentType: 'application/json', text: '{}' };
		assert.deepEqual(statusFailure(answer, '2'), {
			class: 'notProcessed',
			answer,
			status: 429,
			retryAfterMs: 2000,
		});
		assert.equal(statusFailure({ ...answer, status: 400 }, undefined).class, undefined);
		const error = withCode('EPIPE');
		assert.deepEqual(networkFailure(error), { class: 'ambiguous', error, code: 'EPIPE' });
	});

	test('a file behind the body that fails is not the connection: not retried', () => {
		assert.ok(
			isLocalBodyError(withCode('ENOENT', { path: '/nonexistent/img.png', syscall: 'open' })),
		);
		assert.ok(isLocalBodyError(withCode('EISDIR', { syscall: 'read' })));
		assert.ok(
			!isLocalBodyError(withCode('ECONNRESET', { syscall: 'read' })),
			'read ECONNRESET is the socket',
		);
		assert.ok(!isLocalBodyError(withCode('UND_ERR_SOCKET')));
		assert.ok(!isLocalBodyError(undefined));
	});
});

describe('Retry-After, time budget, default kind', () => {
	test('parseRetryAfter reads seconds and HTTP dates', () => {
		const now = Date.parse('2024-01-01T00:00:00Z');
		assert.equal(parseRetryAfter('Mon, 01 Jan 2024 00:00:07 GMT', now), 7000);
		assert.equal(parseRetryAfter('2', now), 2000);
		assert.equal(parseRetryAfter(' 0.3 ', now), 300);
		assert.equal(
			parseRetryAfter('Sun, 31 Dec 2023 23:59:00 GMT', now),
			0,
			'a date in the past: now',
		);
		assert.equal(parseRetryAfter('soon', now), undefined);
		assert.equal(parseRetryAfter(undefined, now), undefined);
	});

	test('the budget is 3 minutes, or three request timeouts when longer', () => {
		assert.equal(defaultBudgetMs(60_000), 180_000);
		assert.equal(defaultBudgetMs(1_000), 180_000);
		assert.equal(defaultBudgetMs(100_000), 300_000);
	});

	test('a request without a named kind: GET reads, anything else is a write', () => {
		assert.equal(defaultKind('GET'), 'read');
		for (const method of ['POST', 'PUT', 'DELETE']) assert.equal(defaultKind(method), 'write');
	});
});

describe('mayHaveApplied: a failed write whose answer was lost', () => {
	test('every kind that writes, once an attempt was ambiguous; never a read or a presigned PUT', () => {
		const writes = [
			'deleteItem',
			'legacyAppend',
			'batchAppendJob',
			'uploadAppendJob',
			'createDataset',
			'write',
		] as const;
		for (const kind of writes) {
			assert.equal(mayHaveApplied(kind, true), true, kind);
			assert.equal(mayHaveApplied(kind, false), false, `${kind}: no attempt was ambiguous`);
		}
		for (const kind of ['read', 'presignedPut'] as const) {
			assert.equal(mayHaveApplied(kind, true), false, kind);
		}
	});
});
