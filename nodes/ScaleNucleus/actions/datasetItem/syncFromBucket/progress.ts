/**
 * Progress lines of a sync, at info level in n8n's log: at most one every 10 s while the dataset is
 * read, the bucket listed and jobs waited on, then a summary line. Counts only: no keys.
 */
import type { Logger } from 'n8n-workflow';

import type { SyncTally } from './output';

const EVERY_MS = 10_000;

export class SyncProgress {
	readonly #started = Date.now();
	#last = 0;

	constructor(
		private readonly logger: Logger | undefined,
		private readonly where: string,
	) {}

	#seconds(): string {
		return `${Math.round((Date.now() - this.#started) / 1000)}s`;
	}

	#due(): boolean {
		const now = Date.now();
		if (now - this.#last < EVERY_MS) return false;
		this.#last = now;
		return true;
	}

	readingDataset(items: number): void {
		if (this.#due())
			this.logger?.info(
				`Sync from Bucket ${this.where}: read ${items} dataset items (${this.#seconds()})`,
			);
	}

	listing(tally: SyncTally, jobs: number): void {
		if (!this.#due()) return;
		this.logger?.info(
			`Sync from Bucket ${this.where}: listed ${tally.listed} objects, ${tally.newObjects + tally.changedObjects} to send, ${jobs} jobs created (${this.#seconds()})`,
		);
	}

	waiting(done: number, total: number): void {
		if (this.#due())
			this.logger?.info(
				`Sync from Bucket ${this.where}: ${done} of ${total} jobs finished (${this.#seconds()})`,
			);
	}

	finish(tally: SyncTally, jobs: number): void {
		this.logger?.info(
			`Sync from Bucket ${this.where}: done in ${this.#seconds()}: ${tally.listed} objects listed, ${tally.alreadyInDataset} already in the dataset, ${tally.newObjects} new and ${tally.changedObjects} changed sent in ${jobs} jobs, ${tally.failedObjects} failed, ${tally.givenUp} given up, ${tally.goneFromBucket} gone from the bucket`,
		);
	}
}
