/**
 * Preloaded (`--require`) into an `n8n execute` to see what its RSS is made of, for profiling:
 *   BENCH_MEMORY_DIR=DIR BENCH_NODE_OPTIONS="--require $PWD/test/bench/memory-probe.cjs" npm run bench -- ...
 * Every 500 ms: [epoch ms, rss, heapTotal, heapUsed, external, arrayBuffers] (MB, process.memoryUsage);
 * after each major GC: [epoch ms, heap used, heap total, old space used, old space size] (MB), so the
 * heap used right after a major GC is the live heap and the rest of heapTotal is garbage or free.
 * Written to `DIR/<pid>.json` every 2 s: `n8n execute` ends without Node's 'exit' event.
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const { PerformanceObserver } = require('node:perf_hooks');

const dir = process.env.BENCH_MEMORY_DIR;
if (dir) {
	const MB = 1 << 20;
	const mb = (n) => Math.round(n / MB);
	const samples = [];
	const majors = [];
	setInterval(() => {
		const m = process.memoryUsage();
		samples.push([
			Date.now(),
			mb(m.rss),
			mb(m.heapTotal),
			mb(m.heapUsed),
			mb(m.external),
			mb(m.arrayBuffers),
		]);
	}, 500).unref();
	new PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			// kind 4: a major (mark-compact) collection.
			if ((e.detail?.kind ?? 0) !== 4) continue;
			const h = v8.getHeapStatistics();
			const old = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space');
			majors.push([
				Date.now(),
				mb(h.used_heap_size),
				mb(h.total_heap_size),
				mb(old?.space_used_size ?? 0),
				mb(old?.space_size ?? 0),
			]);
		}
	}).observe({ entryTypes: ['gc'] });
	setInterval(() => {
		try {
			writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ samples, majors }));
		} catch {
			// no figures then
		}
	}, 2000).unref();
}
