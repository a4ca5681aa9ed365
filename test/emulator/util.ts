import { randomBytes } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

let pool = Buffer.alloc(0);
let poolPos = 0;

/** Nucleus-like ids: `ds_…`, `di_…`, `job_…` (20 lowercase base32 chars). */
export function newId(prefix: string): string {
	if (poolPos + 20 > pool.length) {
		pool = randomBytes(20 * 4096);
		poolPos = 0;
	}
	let s = '';
	for (let i = 0; i < 20; i++) s += ID_ALPHABET[pool[poolPos++] & 31];
	return `${prefix}_${s}`;
}

/** Yields the lines of a byte stream without holding more than one chunk plus a partial line. */
export async function* readLines(
	stream: AsyncIterable<Buffer | string>,
	maxLineBytes = 64 * 1024 * 1024,
): AsyncGenerator<string> {
	const decoder = new StringDecoder('utf8');
	let rest = '';
	for await (const chunk of stream) {
		const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
		let start = 0;
		let nl = text.indexOf('\n', start);
		while (nl !== -1) {
			let line = text.slice(start, nl);
			if (line.endsWith('\r')) line = line.slice(0, -1);
			yield line;
			start = nl + 1;
			nl = text.indexOf('\n', start);
		}
		rest = text.slice(start);
		if (rest.length > maxLineBytes) throw new Error(`line longer than ${maxLineBytes} bytes`);
	}
	rest += decoder.end();
	if (rest.endsWith('\r')) rest = rest.slice(0, -1);
	if (rest.length > 0) yield rest;
}

/** A sleep that a `Waker` can end early and an AbortSignal can cancel. */
export class Waker {
	private pending = new Set<() => void>();

	sleep(ms: number, signal?: AbortSignal): Promise<void> {
		if (ms <= 0) return Promise.resolve();
		return new Promise<void>((resolve, reject) => {
			if (signal?.aborted) {
				reject(new Error('aborted'));
				return;
			}
			const done = (): void => {
				clearTimeout(t);
				this.pending.delete(done);
				signal?.removeEventListener('abort', onAbort);
				resolve();
			};
			const onAbort = (): void => {
				clearTimeout(t);
				this.pending.delete(done);
				reject(new Error('aborted'));
			};
			const t = setTimeout(done, ms);
			this.pending.add(done);
			signal?.addEventListener('abort', onAbort, { once: true });
		});
	}

	wakeAll(): void {
		for (const d of [...this.pending]) d();
	}
}

/**
 * Paces work at `perSec` units per second: `advance(n)` sleeps when the work done is ahead of schedule
 * by more than a few milliseconds (so cheap steps do not each cost a timer).
 */
export class Pacer {
	private start = Date.now();
	private units = 0;

	constructor(
		private readonly perSec: () => number,
		private readonly sleeper: (ms: number) => Promise<void>,
		private readonly skip: () => boolean,
	) {}

	async advance(n: number): Promise<void> {
		this.units += n;
		if (this.skip()) {
			this.start = Date.now();
			this.units = 0;
			return;
		}
		const rate = this.perSec();
		if (!Number.isFinite(rate) || rate <= 0) return;
		const due = this.start + (this.units / rate) * 1000;
		const wait = due - Date.now();
		if (wait > 4) await this.sleeper(wait);
	}
}
