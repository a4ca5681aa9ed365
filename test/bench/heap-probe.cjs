/**
 * Preloaded (`--require`) into each `n8n execute` when the bench runs with BENCH_HEAP_PROF=DIR:
 * V8's sampling heap profiler over the whole process life, counting objects that were collected
 * again too (minor and major GC), so short-lived garbage shows where it was allocated. Written to
 * `DIR/<pid>.heapprofile` (Chrome DevTools' format) when the process exits; test/bench/heap-report.ts
 * sums it by function and by the node's own frames. For profiling only: it slows the process.
 * BENCH_HEAP_PROF_INTERVAL sets the sampling interval in bytes (default 32768).
 */
'use strict';
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const inspector = require('node:inspector');

const dir = process.env.BENCH_HEAP_PROF;
if (dir) {
	const session = new inspector.Session();
	session.connect();
	session.post('HeapProfiler.startSampling', {
		samplingInterval: Number(process.env.BENCH_HEAP_PROF_INTERVAL || 32768),
		includeObjectsCollectedByMajorGC: true,
		// BENCH_HEAP_PROF_GARBAGE=promoted leaves out what young-generation collections freed: what is
		// left is what lived long enough to be promoted to the old generation (and grew it).
		includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROF_GARBAGE !== 'promoted',
	});
	process.on('exit', () => {
		// An in-process session answers synchronously, so this runs to its end inside 'exit'.
		session.post('HeapProfiler.stopSampling', (error, result) => {
			if (error || !result) return;
			try {
				writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(result.profile));
			} catch {
				// no profile then
			}
		});
	});
}
