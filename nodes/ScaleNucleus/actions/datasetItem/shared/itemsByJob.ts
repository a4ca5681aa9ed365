/**
 * The items each job carries, from the requests that started jobs (Append's batches, Update
 * Metadata's datasets). Nothing in the API promises that two requests get two job IDs; when they
 * share one, that job's items are those of both requests, so its errors are matched against all of
 * them and every item gets exactly one outcome. A map that kept one request per job ID would lose
 * the other's items.
 */
export function itemsByJob<T>(requests: Array<{ jobId: string; items: T[] }>): Map<string, T[]> {
	const byJob = new Map<string, T[]>();
	for (const { jobId, items } of requests) {
		const known = byJob.get(jobId);
		if (known) known.push(...items);
		else byJob.set(jobId, [...items]);
	}
	return byJob;
}
