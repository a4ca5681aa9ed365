/**
 * What the bench process sees of the emulator it runs: the request timeline (from the emulator's
 * request log) and this process's CPU time.
 */

export interface ReqEvent {
	method: string;
	path: string;
	status: number;
	start: number;
	end: number;
}

/** Parses the emulator's request log lines ("[nucleus-emulator] POST /path -> 200 53ms", written on close). */
export class Timeline {
	events: ReqEvent[] = [];

	log = (line: string): void => {
		const m = /^\[nucleus-emulator\] (\S+) (\S+) -> (\S+) (\d+)ms$/.exec(line);
		if (!m) return;
		const end = Date.now();
		const status = m[3] === 'dropped' ? 0 : Number(m[3]);
		this.events.push({ method: m[1], path: m[2], status, start: end - Number(m[4]), end });
	};

	appends(datasetId: string): ReqEvent[] {
		const p = `/v1/nucleus/dataset/${datasetId}/append`;
		return this.events.filter((e) => e.method === 'POST' && e.path === p);
	}
}

/** process.cpuUsage() of the bench process (where the emulator runs) every 20 ms. */
export class CpuClock {
	private samples: Array<{ t: number; ms: number }> = [];

	private timer = setInterval(() => this.sample(), 20);

	constructor() {
		this.timer.unref();
		this.sample();
	}

	private sample(): void {
		const u = process.cpuUsage();
		this.samples.push({ t: Date.now(), ms: (u.user + u.system) / 1000 });
		if (this.samples.length > 200_000) this.samples.splice(0, 100_000);
	}

	/** CPU ms used between two epoch-ms times (from the samples nearest before each). */
	between(from: number, to: number): number {
		let a: number | undefined;
		let b: number | undefined;
		for (const s of this.samples) {
			if (s.t <= from) a = s.ms;
			if (s.t <= to) b = s.ms;
		}
		return (b ?? 0) - (a ?? 0);
	}

	stop(): void {
		clearInterval(this.timer);
	}
}
