export interface AdaptiveOptions {
	/** Requests in flight at the start (default 8, or `max` if lower). */
	initial?: number;
}

/**
 * Concurrency that adapts to the server: additive increase while requests succeed, multiplicative
 * decrease when the server throttles (429), never above `max` (the user's Concurrency option) nor
 * below 1. It starts at 8 and grows by one per success until the first throttle (slow start), then
 * by one per `limit` successes (congestion avoidance), like TCP's congestion window.
 *
 * A burst of 429s halves the limit once: a throttle of a request that started before the last
 * decrease (it was sent under the old limit) is ignored. Callers take `epoch` when a request starts
 * and hand it back with `throttled(epoch)`.
 */
export class AdaptiveConcurrency {
	readonly max: number;

	#limit: number;

	#epoch = 0;

	#slowStart = true;

	#credit = 0;

	/** How many times the limit was lowered. */
	decreases = 0;

	constructor(max: number, options: AdaptiveOptions = {}) {
		this.max = Math.max(1, Math.floor(max));
		this.#limit = Math.max(1, Math.min(this.max, Math.floor(options.initial ?? 8)));
	}

	/** Requests allowed in flight now. */
	get limit(): number {
		return this.#limit;
	}

	/** Increments at every decrease; take it when a request starts. */
	get epoch(): number {
		return this.#epoch;
	}

	/** A request finished without being throttled. */
	succeeded(): void {
		if (this.#limit >= this.max) return;
		if (this.#slowStart) {
			this.#limit++;
			return;
		}
		this.#credit += 1 / this.#limit;
		if (this.#credit >= 1) {
			this.#credit -= 1;
			this.#limit++;
		}
	}

	/** The server throttled a request that started at `epoch`. */
	throttled(epoch: number): void {
		if (epoch < this.#epoch) return;
		this.#slowStart = false;
		this.#credit = 0;
		this.#limit = Math.max(1, Math.floor(this.#limit / 2));
		this.#epoch++;
		this.decreases++;
	}
}

/** "Too many requests": the transport retries it, the pool lowers its concurrency. */
export function isThrottleStatus(status: number | undefined): boolean {
	return status === 429;
}

/**
 * A task's place in the pool. A task that waits before a retry (backoff, Retry-After) can give its
 * place to another task with `release()` and take one again with `acquire()`, which waits until the
 * pool has room (waiting retries go before new tasks). Both are no-ops when they have nothing to do.
 */
export interface PoolSlot {
	release(): void;
	acquire(): Promise<void>;
}

/**
 * Runs `worker` over `count` tasks, in index order of start, with at most `concurrency` holding a
 * slot at once: a fixed number, or an AdaptiveConcurrency whose current limit is read each time.
 * Tasks that released their slot while they wait for a retry do not count, but at most four times
 * the maximum are started and unfinished at once. Stops starting new tasks as soon as `signal`
 * aborts (waiting `acquire()` calls then return at once, so the tasks see the abort) or a worker
 * throws; tasks already running finish or abort on their own (they receive the same signal through
 * the transport). Resolves when every started task is done; rejects with the first worker error
 * once the others have settled.
 */
export async function runPool(
	count: number,
	concurrency: number | AdaptiveConcurrency,
	worker: (index: number, slot: PoolSlot) => Promise<void>,
	signal?: AbortSignal,
): Promise<void> {
	const max = Math.max(
		1,
		Math.floor(typeof concurrency === 'number' ? concurrency : concurrency.max),
	);
	const limitNow =
		typeof concurrency === 'number' ? () => max : () => Math.max(1, concurrency.limit);
	const maxStarted = max * 4;
	await new Promise<void>((resolve, reject) => {
		let next = 0;
		let started = 0;
		let holding = 0;
		const waiting: Array<() => void> = [];
		let failure: { error: unknown } | undefined;
		let settled = false;
		const onAbort = (): void => {
			while (waiting.length) waiting.shift()!();
			pump();
		};
		signal?.addEventListener('abort', onAbort, { once: true });

		const startTask = (): void => {
			const index = next++;
			started++;
			holding++;
			let held = true;
			const slot: PoolSlot = {
				release: () => {
					if (!held) return;
					held = false;
					holding--;
					pump();
				},
				acquire: async () => {
					if (held || signal?.aborted) return;
					await new Promise<void>((wake) => {
						waiting.push(() => {
							held = true;
							holding++;
							wake();
						});
						pump();
					});
				},
			};
			let task: Promise<void>;
			try {
				task = worker(index, slot);
			} catch (error) {
				task = Promise.reject(error);
			}
			const done = (error?: { error: unknown }): void => {
				if (error) failure ??= error;
				if (held) {
					held = false;
					holding--;
				}
				started--;
				pump();
			};
			task.then(
				() => done(),
				(error: unknown) => done({ error }),
			);
		};

		function pump(): void {
			if (settled) return;
			while (holding < limitNow()) {
				if (waiting.length) {
					waiting.shift()!();
					continue;
				}
				if (failure || next >= count || signal?.aborted || started >= maxStarted) break;
				startTask();
			}
			if (signal?.aborted) while (waiting.length) waiting.shift()!();
			if (started > 0) return;
			if (!failure && next < count && !signal?.aborted) return;
			settled = true;
			signal?.removeEventListener('abort', onAbort);
			if (failure) reject(failure.error);
			else resolve();
		}

		pump();
	});
}

/** Splits `list` into consecutive chunks of at most `size` elements. */
export function chunk<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}
