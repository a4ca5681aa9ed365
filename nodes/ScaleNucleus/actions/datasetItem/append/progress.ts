/**
 * Progress of a long append, at info level in n8n's log: one line per ~10% of the images sent or
 * of the jobs finished, and at least every 30 s, then a summary line. Counts and durations only:
 * no reference IDs, URLs or keys, and no line per item.
 */
import type { Logger } from 'n8n-workflow';

import { timerDelayMs } from '../../../../shared/timers';

const STEP = 0.1;
const MAX_SILENCE_MS = 30_000;

function duration(ms: number): string {
	const s = Math.max(0, Math.round(ms / 1000));
	const m = Math.floor(s / 60);
	return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class AppendProgress {
	readonly #started = Date.now();
	#lastLog = this.#started;
	/** The last tenth of the run a line was logged for (0 = none yet). */
	#lastTenth = 0;
	sent = 0;
	stored = 0;
	failed = 0;
	inFlight = 0;
	throttled = 0;
	jobsFinished = 0;
	jobs = 0;
	/** Items not sent because the dataset already held them (Skip Items Already in Dataset). */
	skipped = 0;

	/** Logs when nothing else did for 30 s: one request of large files, or a wait between polls. */
	readonly #heartbeat: ReturnType<typeof setInterval> | undefined;

	constructor(
		private readonly logger: Logger | undefined,
		/** Images (items) in this run, after validation. */
		private readonly total: number,
		/** Below this many items nothing is logged but the summary. */
		private readonly quietBelow = 100,
	) {
		if (logger && total >= quietBelow) {
			this.#heartbeat = setInterval(() => this.update(), timerDelayMs(MAX_SILENCE_MS));
			// Never keeps n8n's process alive on its own.
			this.#heartbeat.unref?.();
		}
	}

	/** Where the run is: sending (by images sent), then waiting (by jobs finished). */
	#fraction(): number {
		if (this.sent < this.total || this.jobs === 0)
			return this.total ? this.sent / this.total / 2 : 0;
		return 0.5 + this.jobsFinished / this.jobs / 2;
	}

	#line(): string {
		const elapsed = Date.now() - this.#started;
		const fraction = this.#fraction();
		const left =
			fraction > 0.02 && fraction < 1 ? (elapsed / fraction) * (1 - fraction) : undefined;
		return (
			`${this.sent}/${this.total} images sent, ${this.stored} stored, ${this.failed} failed, ` +
			(this.skipped ? `${this.skipped} already in the dataset (not sent), ` : '') +
			`${this.jobsFinished}/${this.jobs} jobs finished, ${this.inFlight} requests in flight, ` +
			`${this.throttled} throttled (429), ${duration(elapsed)} elapsed` +
			(left !== undefined ? `, about ${duration(left)} left` : '')
		);
	}

	/** Called after any change; logs when the run passes another 10% or 30 s passed since the last line. */
	update(): void {
		if (!this.logger || this.total < this.quietBelow) return;
		// Whole tenths, so that float sums (0.3 - 0.2 < 0.1) do not skip a step.
		const tenth = Math.floor(this.#fraction() / STEP + 1e-9);
		const now = Date.now();
		if (tenth <= this.#lastTenth && now - this.#lastLog < MAX_SILENCE_MS) return;
		this.#lastTenth = tenth;
		this.#lastLog = now;
		this.logger.info(`Scale Nucleus Append: ${this.#line()}`);
	}

	/** Stops the 30 s heartbeat; called however the run ends. */
	stop(): void {
		if (this.#heartbeat) clearInterval(this.#heartbeat);
	}

	/** The last line, always logged (also for small runs). */
	finish(): void {
		this.stop();
		this.logger?.info(`Scale Nucleus Append finished: ${this.#line()}`);
	}
}
