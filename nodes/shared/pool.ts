/**
 * Runs `worker` over `count` tasks with at most `concurrency` in flight, in index order of start.
 * Stops starting new tasks as soon as `signal` aborts; tasks already running finish or abort on
 * their own (they receive the same signal through the transport).
 */
export async function runPool(
	count: number,
	concurrency: number,
	worker: (index: number) => Promise<void>,
	signal?: AbortSignal,
): Promise<void> {
	let next = 0;
	const lanes = Math.max(1, Math.min(concurrency, count));
	const lane = async () => {
		while (next < count) {
			if (signal?.aborted) return;
			const index = next++;
			await worker(index);
		}
	};
	await Promise.all(Array.from({ length: lanes }, lane));
}

/** Splits `list` into consecutive chunks of at most `size` elements. */
export function chunk<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}
