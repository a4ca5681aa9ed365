/**
 * Fault injection for the emulator. One seeded PRNG draw per request decides, BEFORE the request is
 * read or applied, whether it gets a 429 (with Retry-After), a 503/504 (alternating), a dropped
 * connection (socket destroyed, no response) or nothing; a second draw decides whether it is delayed
 * by `slowMs` first (slow combines with the others).
 */

export interface Faults {
	/** Share of requests answered 429 with `Retry-After: retryAfterS`. */
	rate429: number;
	retryAfterS: number;
	/** Share answered 503 / 504 (alternately; some with proxy-like plain-text bodies). */
	rate5xx: number;
	/** Share whose socket is destroyed before any response. */
	rateDrop: number;
	/** Share delayed by `slowMs` before being handled. */
	rateSlow: number;
	slowMs: number;
	/** PRNG seed; setting it restarts the sequence. */
	seed?: number;
	/**
	 * Only requests whose path (e.g. `/v1/nucleus/dataset/ds_1/append`) matches are faulted.
	 * Default: every API route under /v1/nucleus; `/__storage` and `/__control` only when matched here.
	 */
	routes?: RegExp;
}

export const DEFAULT_FAULTS: Readonly<Faults> = {
	rate429: 0,
	retryAfterS: 1,
	rate5xx: 0,
	rateDrop: 0,
	rateSlow: 0,
	slowMs: 500,
	seed: 1,
};

export type FaultKind = 'none' | '429' | '5xx' | 'drop';

export interface FaultDecision {
	kind: FaultKind;
	slowMs: number;
	/** For 5xx: the status to send. */
	status?: 503 | 504;
	/** For 5xx: send a proxy-like plain-text body instead of JSON. */
	plainText?: boolean;
}

/** mulberry32: small, fast, seedable. */
export function mulberry32(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function clampRate(v: unknown, name: string): number {
	const n = Number(v);
	if (!Number.isFinite(n) || n < 0 || n > 1)
		throw new Error(`${name} must be a number between 0 and 1`);
	return n;
}

/** Validate and normalise a partial fault set (from code or from the control API's JSON). */
export function normaliseFaults(
	f: Partial<Faults> & { routes?: RegExp | string | null },
): Partial<Faults> {
	const out: Partial<Faults> = {};
	if (f.rate429 !== undefined) out.rate429 = clampRate(f.rate429, 'rate429');
	if (f.rate5xx !== undefined) out.rate5xx = clampRate(f.rate5xx, 'rate5xx');
	if (f.rateDrop !== undefined) out.rateDrop = clampRate(f.rateDrop, 'rateDrop');
	if (f.rateSlow !== undefined) out.rateSlow = clampRate(f.rateSlow, 'rateSlow');
	if (f.retryAfterS !== undefined) {
		const n = Number(f.retryAfterS);
		if (!Number.isFinite(n) || n < 0) throw new Error('retryAfterS must be a non-negative number');
		out.retryAfterS = n;
	}
	if (f.slowMs !== undefined) {
		const n = Number(f.slowMs);
		if (!Number.isFinite(n) || n < 0) throw new Error('slowMs must be a non-negative number');
		out.slowMs = n;
	}
	if (f.seed !== undefined) {
		const n = Number(f.seed);
		if (!Number.isFinite(n)) throw new Error('seed must be a number');
		out.seed = n;
	}
	if (Object.prototype.hasOwnProperty.call(f, 'routes')) {
		if (f.routes === null || f.routes === undefined) out.routes = undefined;
		else if (f.routes instanceof RegExp) out.routes = f.routes;
		else if (typeof f.routes === 'string') out.routes = new RegExp(f.routes);
		else throw new Error('routes must be a RegExp or a regular expression string');
	}
	const total = (out.rate429 ?? 0) + (out.rate5xx ?? 0) + (out.rateDrop ?? 0);
	if (total > 1 + 1e-9) throw new Error('rate429 + rate5xx + rateDrop must not exceed 1');
	return out;
}

export class FaultInjector {
	private faults: Faults = { ...DEFAULT_FAULTS };
	private rand = mulberry32(DEFAULT_FAULTS.seed ?? 1);
	private count5xx = 0;

	get current(): Readonly<Faults> {
		return this.faults;
	}

	set(partial: Partial<Faults>): void {
		const n = normaliseFaults(partial);
		const hasRoutes = Object.prototype.hasOwnProperty.call(n, 'routes');
		this.faults = { ...this.faults, ...n };
		if (hasRoutes && n.routes === undefined) delete this.faults.routes;
		const sum = this.faults.rate429 + this.faults.rate5xx + this.faults.rateDrop;
		if (sum > 1 + 1e-9) {
			throw new Error('rate429 + rate5xx + rateDrop must not exceed 1');
		}
		if (n.seed !== undefined) {
			this.rand = mulberry32(n.seed);
			this.count5xx = 0;
		}
	}

	reset(): void {
		this.faults = { ...DEFAULT_FAULTS };
		this.rand = mulberry32(DEFAULT_FAULTS.seed ?? 1);
		this.count5xx = 0;
	}

	active(): boolean {
		const f = this.faults;
		return f.rate429 > 0 || f.rate5xx > 0 || f.rateDrop > 0 || f.rateSlow > 0;
	}

	applies(path: string, isApi: boolean): boolean {
		if (this.faults.routes) {
			this.faults.routes.lastIndex = 0;
			return this.faults.routes.test(path);
		}
		return isApi;
	}

	decide(): FaultDecision {
		const f = this.faults;
		const r = this.rand();
		const s = this.rand();
		const slowMs = s < f.rateSlow ? f.slowMs : 0;
		if (r < f.rate429) return { kind: '429', slowMs };
		if (r < f.rate429 + f.rate5xx) {
			this.count5xx++;
			return {
				kind: '5xx',
				slowMs,
				status: this.count5xx % 2 === 1 ? 503 : 504,
				plainText: this.rand() < 0.5,
			};
		}
		if (r < f.rate429 + f.rate5xx + f.rateDrop) return { kind: 'drop', slowMs };
		return { kind: 'none', slowMs };
	}
}
