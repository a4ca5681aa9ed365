/**
 * Preloaded (`--require`) into each `n8n execute` and each bare loop by the bench: records every V8
 * garbage collection (epoch start ms, duration ms, kind) with a PerformanceObserver and writes them
 * to `$BENCH_GC_DIR/<pid>.json` when the process exits (n8n's task runner inherits NODE_OPTIONS and
 * writes its own file; the bench reads the file of the process it started). Durations are the pauses
 * V8 reports to Node; incremental marking steps done between them are not included.
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { PerformanceObserver, performance } = require('node:perf_hooks');

const dir = process.env.BENCH_GC_DIR;
if (dir) {
	const origin = performance.timeOrigin;
	/** [start epoch ms, duration ms, kind]; kind 1 minor, 4 major, 8 incremental, 16 weak callbacks. */
	const entries = [];
	const observer = new PerformanceObserver((list) => {
		for (const e of list.getEntries()) {
			entries.push([
				Math.round((origin + e.startTime) * 10) / 10,
				Math.round(e.duration * 100) / 100,
				e.detail?.kind ?? 0,
			]);
		}
	});
	observer.observe({ entryTypes: ['gc'] });
	process.on('exit', () => {
		try {
			writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify(entries));
		} catch {
			// the bench reports no GC figure then
		}
	});
}
