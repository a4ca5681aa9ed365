import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { AdaptiveConcurrency, chunk, isThrottleStatus, runPool } from '../../nodes/shared/pool';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A worker that records how many tasks run at once and finishes after a few event-loop turns. */
function tracker(turns = 2) {
	let running = 0;
	const state = { peak: 0, started: [] as number[], finished: 0 };
	const worker = async (i: number) => {
		state.started.push(i);
		running++;
		state.peak = Math.max(state.peak, running);
		for (let t = 0; t < turns + (i % 3); t++) await tick();
		running--;
		state.finished++;
	};
	return { state, worker };
}

describe('runPool with a fixed concurrency', () => {
	test('runs every task once, in index order of start, never more than the limit at once', async () => {
		const { state, worker } = tracker();
		await runPool(50, 4, worker);
		assert.deepEqual(
			state.started,
			Array.from({ length: 50 }, (_, i) => i),
		);
		assert.equal(state.finished, 50);
		assert.equal(state.peak, 4);
	});

	test('zero tasks resolve at once; a limit above the task count runs them all together', async () => {
		await runPool(0, 8, async () => assert.fail('no task expected'));
		const { state, worker } = tracker();
		await runPool(3, 8, worker);
		assert.equal(state.peak, 3);
	});

	test('an aborted signal stops new starts and resolves once the running tasks are done', async () => {
		const controller = new AbortController();
		const { state, worker } = tracker(5);
		await runPool(
			100,
			5,
			async (i) => {
				if (i === 7) controller.abort();
				await worker(i);
			},
			controller.signal,
		);
		assert.equal(state.started.length, 8);
		assert.equal(state.finished, 8);
	});

	test('a failing task stops new starts; the first error is thrown after the running tasks settle', async () => {
		const { state, worker } = tracker(3);
		await assert.rejects(
			runPool(100, 4, async (i) => {
				await worker(i);
				if (i === 5) throw new Error('task 5 failed');
				if (i === 6) {
					for (let t = 0; t < 20; t++) await tick();
					throw new Error('task 6 failed later');
				}
			}),
			/task 5 failed/,
		);
		assert.ok(state.started.length < 12, `started ${state.started.length}`);
		assert.equal(state.finished, state.started.length, 'no task left running');
	});
});

describe('AdaptiveConcurrency', () => {
	test('starts at 8 (or the maximum if lower) and grows by one per success up to the maximum', () => {
		assert.equal(new AdaptiveConcurrency(3).limit, 3);
		const c = new AdaptiveConcurrency(32);
		assert.equal(c.limit, 8);
		for (let i = 0; i < 10; i++) c.succeeded();
		assert.equal(c.limit, 18);
		for (let i = 0; i < 100; i++) c.succeeded();
		assert.equal(c.limit, 32);
	});

	test('a burst of throttles halves the limit once: requests started before the decrease do not halve it again', () => {
		const c = new AdaptiveConcurrency(32, { initial: 32 });
		const epoch = c.epoch;
		c.throttled(epoch);
		assert.equal(c.limit, 16);
		for (let i = 0; i < 15; i++) c.throttled(epoch);
		assert.equal(c.limit, 16);
		c.throttled(c.epoch);
		assert.equal(c.limit, 8);
		assert.equal(c.decreases, 2);
	});

	test('after a throttle it grows by one per `limit` successes, and never drops below one', () => {
		const c = new AdaptiveConcurrency(32, { initial: 32 });
		c.throttled(c.epoch);
		assert.equal(c.limit, 16);
		for (let i = 0; i < 15; i++) c.succeeded();
		assert.equal(c.limit, 16);
		c.succeeded();
		assert.equal(c.limit, 17);
		for (let i = 0; i < 10; i++) c.throttled(c.epoch);
		assert.equal(c.limit, 1);
	});

	test('only 429 means slow down; other statuses and network errors do not', () => {
		assert.equal(isThrottleStatus(429), true);
		for (const s of [undefined, 200, 500, 502, 503, 504])
			assert.equal(isThrottleStatus(s), false, String(s));
	});
});

describe('runPool with AdaptiveConcurrency against a server that allows 5 requests at once', () => {
	test('backs off to what the server allows, still runs every task, and ends near the server limit', async () => {
		const serverLimit = 5;
		const limit = new AdaptiveConcurrency(32);
		let inFlight = 0;
		let rejected = 0;
		const inFlightAtStart: number[] = [];
		const done = new Set<number>();
		await runPool(400, limit, async (i) => {
			// Like the transport: a throttled request waits and is retried until it gets through.
			const epoch = limit.epoch;
			let throttled = false;
			for (;;) {
				if (inFlight < serverLimit) break;
				rejected++;
				throttled = true;
				limit.throttled(epoch);
				await tick();
				await tick();
			}
			inFlight++;
			inFlightAtStart.push(inFlight);
			for (let t = 0; t < 3; t++) await tick();
			inFlight--;
			if (!throttled) limit.succeeded();
			done.add(i);
		});
		assert.equal(done.size, 400);
		assert.ok(rejected > 0, 'the server throttled at first');
		assert.ok(limit.decreases >= 1);
		// Throttles happen while probing; most requests go through without one.
		assert.ok(rejected < 200, `rejected ${rejected}`);
		assert.ok(limit.limit <= 2 * serverLimit + 1, `limit ${limit.limit}`);
		assert.ok(Math.max(...inFlightAtStart) <= serverLimit);
	});

	test('with a server that never throttles, it reaches the maximum', async () => {
		const limit = new AdaptiveConcurrency(16);
		const { state, worker } = tracker();
		await runPool(200, limit, async (i) => {
			await worker(i);
			limit.succeeded();
		});
		assert.equal(limit.limit, 16);
		assert.equal(state.peak, 16);
		assert.equal(state.finished, 200);
	});
});

describe('pool slots: a task waiting to retry gives its place to another', () => {
	test('release lets the next task start; acquire waits for room and goes before new tasks', async () => {
		const order: string[] = [];
		let gate!: () => void;
		const opened = new Promise<void>((resolve) => (gate = resolve));
		await runPool(4, 1, async (i, slot) => {
			order.push(`start ${i}`);
			if (i === 0) {
				slot.release(); // like a retry going into its backoff sleep
				await opened;
				await slot.acquire();
				order.push('retry 0');
				return;
			}
			if (i === 1) gate();
			await tick();
			order.push(`end ${i}`);
		});
		assert.deepEqual(order, [
			'start 0',
			'start 1',
			'end 1',
			'retry 0',
			'start 2',
			'end 2',
			'start 3',
			'end 3',
		]);
	});

	test('released slots never let more than four times the maximum be started at once', async () => {
		let open = 0;
		let peak = 0;
		let release!: () => void;
		const wait = new Promise<void>((resolve) => (release = resolve));
		const run = runPool(100, 2, async (_i, slot) => {
			open++;
			peak = Math.max(peak, open);
			slot.release();
			await wait;
			await slot.acquire();
			open--;
		});
		for (let t = 0; t < 5; t++) await tick();
		assert.equal(peak, 8);
		release();
		await run;
	});

	test('an abort wakes a task waiting to acquire while the slot is still taken', async () => {
		const controller = new AbortController();
		const order: string[] = [];
		await runPool(
			5,
			1,
			async (i, slot) => {
				if (i === 0) {
					slot.release();
					await slot.acquire();
					order.push(`0 woke, aborted=${String(controller.signal.aborted)}`);
					return;
				}
				await tick();
				controller.abort();
				for (let t = 0; t < 5; t++) await tick();
				order.push(`${i} done`);
			},
			controller.signal,
		);
		assert.deepEqual(order, ['0 woke, aborted=true', '1 done']);
	});
});

test('chunk splits a list into consecutive pieces', () => {
	assert.deepEqual(chunk([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4], [5]]);
	assert.deepEqual(chunk([], 3), []);
});
