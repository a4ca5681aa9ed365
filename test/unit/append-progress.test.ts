import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';

import type { Logger } from 'n8n-workflow';

import { AppendProgress } from '../../nodes/ScaleNucleus/actions/datasetItem/append/progress';

function captureLogger(): { logger: Logger; lines: Array<{ level: string; message: string }> } {
	const lines: Array<{ level: string; message: string }> = [];
	const at = (level: string) => (message: string) => lines.push({ level, message });
	const logger = {
		error: at('error'),
		warn: at('warn'),
		info: at('info'),
		debug: at('debug'),
	} as unknown as Logger;
	return { logger, lines };
}

describe('Append progress in the log (n8n time mocked, nothing waits)', () => {
	beforeEach(() => mock.timers.enable({ apis: ['setInterval', 'Date'] }));
	afterEach(() => mock.timers.reset());

	test('a request that takes minutes still gets a line every 30 s, with counts, in flight, 429s and time', () => {
		const { logger, lines } = captureLogger();
		const progress = new AppendProgress(logger, 1000);
		progress.sent = 50;
		progress.inFlight = 8;
		progress.throttled = 3;
		progress.update();
		assert.equal(lines.length, 0, 'under 10% and under 30 s: quiet');
		mock.timers.tick(30_000);
		assert.equal(lines.length, 1);
		assert.equal(lines[0].level, 'info');
		assert.equal(
			lines[0].message,
			'Scale Nucleus Append: 50/1000 images sent, 0 stored, 0 failed, 0/0 jobs finished, 8 requests in flight, 3 throttled (429), 30s elapsed, about 19m30s left',
		);
		mock.timers.tick(30_000);
		assert.equal(lines.length, 2);
		assert.match(lines[1].message, /, 1m00s elapsed, about /);
		progress.stored = 990;
		progress.failed = 10;
		progress.finish();
		assert.match(
			lines[2].message,
			/^Scale Nucleus Append finished: 50\/1000 images sent, 990 stored, 10 failed, /,
		);
		mock.timers.tick(120_000);
		assert.equal(lines.length, 3, 'no line after the summary');
	});

	test('a long wait logs at least every 30 s between poll rounds that change nothing', () => {
		const { logger, lines } = captureLogger();
		const progress = new AppendProgress(logger, 500);
		progress.sent = 500;
		progress.jobs = 50;
		progress.update();
		const before = lines.length;
		for (let round = 0; round < 12; round++) {
			mock.timers.tick(5_000);
			progress.update();
		}
		// 60 s of polls with no job finished: two heartbeat lines, not one per poll.
		assert.equal(lines.length - before, 2);
		assert.ok(lines.every((l) => l.message.includes('0/50 jobs finished')));
		progress.stop();
	});

	test('about one line per 10% of the run, never one per image', () => {
		const { logger, lines } = captureLogger();
		const progress = new AppendProgress(logger, 1000);
		for (let i = 0; i < 100; i++) {
			progress.sent += 10;
			progress.update();
		}
		progress.jobs = 100;
		for (let i = 0; i < 100; i++) {
			progress.jobsFinished++;
			progress.update();
		}
		progress.finish();
		// Sending is the first half of the run, waiting the second: 10 steps of 10%, then the summary.
		assert.equal(lines.length, 11);
		assert.match(lines[4].message, /^Scale Nucleus Append: 1000\/1000 images sent, /);
		assert.match(lines[9].message, /100\/100 jobs finished/);
	});

	test('a run under 100 images logs only its summary', () => {
		const { logger, lines } = captureLogger();
		const progress = new AppendProgress(logger, 99);
		progress.sent = 99;
		progress.update();
		mock.timers.tick(60_000);
		progress.finish();
		assert.equal(lines.length, 1);
		assert.match(lines[0].message, /^Scale Nucleus Append finished: 99\/99 images sent/);
	});
});
