// Simulate AIMD variants against (a) a concurrency-limited server and (b) random faults, in virtual time.
type V = { name: string; factor: number; interval: number; floor: number; ca: boolean; release?: boolean };
function sim(v: V, scenario: 'limit10' | 'limit32cap64' | 'random', N = 5000, seed = 1) {
	let rnd = seed; const rand = () => ((rnd = (rnd * 1103515245 + 12345) % 2147483648) / 2147483648);
	let limit = Math.min(8, v.ca ? 8 : 8), max = scenario === 'limit32cap64' ? 64 : 32, slow = true, credit = 0, epoch = 0, last = -1e9;
	if (scenario === 'random') max = 64;
	const R = scenario === 'limit10' ? 10 : scenario === 'limit32cap64' ? 32 : Infinity;
	let t = 0, next = 0, done = 0, failed = 0, onServer = 0, r429 = 0;
	type Ev = { at: number; kind: 'finish' | 'wake'; task: number; epoch: number; attempt: number; throttled: boolean };
	const evs: Ev[] = []; let running = 0;
	const push = (e: Ev) => { evs.push(e); };
	const attempt = (task: number, ep: number, att: number, thr: boolean) => {
		// request hits server at time t
		const random429 = scenario === 'random' && rand() < 0.2;
		const random5xx = scenario === 'random' && rand() < 0.15;
		if (onServer >= R || random429) { r429++; 
			if (!(ep < epoch) && t - last >= v.interval) { last = t; slow = false; credit = 0; limit = Math.max(v.floor, Math.floor(limit * v.factor)); epoch++; }
			if (att >= 5) { failed++; running--; return; }
			if (v.release) { running--; }
			push({ at: t + (scenario === 'random' ? 0 : 1000), kind: 'wake', task, epoch: ep, attempt: att + 1, throttled: true }); return; }
		if (random5xx) { if (att >= 5) { failed++; running--; return; } if (v.release) { running--; } push({ at: t + 250 * 2 ** (att - 1) * (0.5 + rand()), kind: 'wake', task, epoch: ep, attempt: att + 1, throttled: thr }); return; }
		onServer++; push({ at: t + (scenario === 'random' ? 5 : 50), kind: 'finish', task, epoch: ep, attempt: att, throttled: thr });
	};
	const pump = () => { while (next < N && running < limit) { running++; const task = next++; attempt(task, epoch, 1, false); } };
	pump();
	while (evs.length) { evs.sort((a, b) => a.at - b.at); const e = evs.shift()!; t = e.at;
		if (e.kind === 'wake' && v.release) running++;
		if (e.kind === 'wake') attempt(e.task, e.epoch, e.attempt, e.throttled);
		else { onServer--; running--; done++; if (!e.throttled && limit < max) { if (slow || !v.ca) limit++; else { credit += 1 / limit; if (credit >= 1) { credit--; limit++; } } } }
		pump(); }
	return `${v.name.padEnd(28)} ${scenario.padEnd(13)} t=${(t / 1000).toFixed(1)}s done=${done} failed=${failed} 429=${r429} endLimit=${limit}`;
}
const variants: V[] = [
	{ name: 'half/1s/CA floor1', factor: 0.5, interval: 1000, floor: 1, ca: true },
	{ name: 'half/epoch-only/CA floor1', factor: 0.5, interval: 0, floor: 1, ca: true },
	{ name: '0.75/1s/CA floor1', factor: 0.75, interval: 1000, floor: 1, ca: true },
	{ name: 'half/1s/CA floor8', factor: 0.5, interval: 1000, floor: 8, ca: true },
	{ name: 'half/1s/SS-always', factor: 0.5, interval: 1000, floor: 1, ca: false },
	{ name: 'half/epoch/CA floor4', factor: 0.5, interval: 0, floor: 4, ca: true },
	{ name: 'half/epoch/CA floor8', factor: 0.5, interval: 0, floor: 8, ca: true },
	{ name: 'half/250ms/CA floor1', factor: 0.5, interval: 250, floor: 1, ca: true },
	{ name: 'half/250ms/CA floor8', factor: 0.5, interval: 250, floor: 8, ca: true },
	{ name: 'REL half/epoch/CA floor1', factor: 0.5, interval: 0, floor: 1, ca: true, release: true },
	{ name: 'REL half/epoch/CA floor8', factor: 0.5, interval: 0, floor: 8, ca: true, release: true },
	{ name: 'REL half/1s/CA floor1', factor: 0.5, interval: 1000, floor: 1, ca: true, release: true },
	{ name: 'fixed (no decrease)', factor: 1, interval: 0, floor: 1, ca: true },
];
for (const v of variants) for (const s of ['limit10', 'limit32cap64', 'random'] as const) console.log(sim(v, s));
