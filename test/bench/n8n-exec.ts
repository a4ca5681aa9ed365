/**
 * `n8n execute` for the benchmarks: the e2e runner's N8n instance (test/e2e/n8n.ts) does the install,
 * the package and the imports; this wrapper spawns the execute command itself because the benchmarks
 * need the pid of the n8n process, to sample its resident memory (VmRSS) every ~100 ms while it runs.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, parseExecutionOutput, type N8n, type NodeRun } from '../e2e/n8n';

export interface RssSample {
	/** Date.now() when sampled. */
	t: number;
	/** VmRSS of the `n8n execute` process, bytes. */
	main: number;
	/** VmRSS of the process and all its descendants (n8n's task runner), bytes. */
	tree: number;
	/** CPU time (user + system) the `n8n execute` process has used since it started, ms. */
	cpuMs: number;
}

export interface BenchExecution {
	status: string;
	exitCode: number | null;
	runData: Record<string, NodeRun[]>;
	error?: { message?: string };
	/** Date.now() at spawn and at exit. */
	spawnedAt: number;
	exitedAt: number;
	samples: RssSample[];
	stderrTail: string;
	/** pid of the `n8n execute` process. */
	pid: number;
	/**
	 * Lines of our node's progress log (`Scale Nucleus Append…`, n8n's logger at info level on the
	 * console: test/e2e/n8n.ts sets N8N_LOG_LEVEL=info, N8N_LOG_OUTPUT=console), the summary included.
	 */
	progressLines: number;
}

const PROGRESS_LINE = /Scale Nucleus Append( finished)?: /;

function countProgressLines(text: string): number {
	let n = 0;
	for (const line of text.split('\n')) if (PROGRESS_LINE.test(line)) n++;
	return n;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_S = 100;

/** utime + stime of a process from /proc/<pid>/stat (fields 14 and 15), ms. */
function cpuMsOf(pid: number): number {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_S;
	} catch {
		return 0;
	}
}

function rssOf(pid: number): number {
	try {
		const status = readFileSync(`/proc/${pid}/status`, 'utf8');
		const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
		return m ? Number(m[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

/** Children of every process, from /proc/<pid>/stat (ppid is field 4). */
function descendants(root: number): number[] {
	const parent = new Map<number, number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
			const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			parent.set(Number(entry), Number(rest[1]));
		} catch {
			// gone
		}
	}
	const out: number[] = [];
	const queue = [root];
	while (queue.length) {
		const p = queue.shift()!;
		for (const [child, pp] of parent) {
			if (pp === p) {
				out.push(child);
				queue.push(child);
			}
		}
	}
	return out;
}

/**
 * Runs `n8n execute --id=<id> --rawOutput` with the instance's environment, sampling memory every
 * `sampleMs`. The process tree is rescanned every 10th sample (cheap enough at 1 s).
 */
export async function executeSampled(
	n8n: N8n,
	id: string,
	opts: { sampleMs?: number; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<BenchExecution> {
	const sampleMs = opts.sampleMs ?? 100;
	const brokerPort = String(await freePort());
	const env = n8n.env({ N8N_RUNNERS_BROKER_PORT: brokerPort, ...opts.env });
	// stdout goes to a file: n8n prints the whole run (tens of MB for 100,000 items) and exits right
	// after, which can cut a pipe short; writes to a file are synchronous.
	const outFile = path.join(tmpdir(), `bench-n8n-execute-${process.pid}-${id}-${Date.now()}.json`);
	const outFd = openSync(outFile, 'w');
	const spawnedAt = Date.now();
	const child = spawn(n8n.install.n8nBin, ['execute', `--id=${id}`, '--rawOutput'], {
		cwd: n8n.userFolder,
		env,
		stdio: ['ignore', outFd, 'pipe'],
		detached: true,
	});
	closeSync(outFd);
	const pid = child.pid!;
	let err = '';
	let progressInStderr = 0;
	let partial = '';
	child.stderr!.on('data', (c: Buffer) => {
		const text = c.toString();
		// Counted on the fly: `err` keeps only the tail.
		const lines = (partial + text).split('\n');
		partial = lines.pop() ?? '';
		progressInStderr += countProgressLines(lines.join('\n'));
		err += text;
		if (err.length > 400_000) err = err.slice(-200_000);
		if (n8n.verbose) process.stderr.write(c);
	});
	const samples: RssSample[] = [];
	let kids: number[] = [];
	let tick = 0;
	const sample = (): void => {
		if (tick++ % 10 === 0) kids = descendants(pid);
		const main = rssOf(pid);
		if (main === 0) return;
		let tree = main;
		for (const k of kids) tree += rssOf(k);
		samples.push({ t: Date.now(), main, tree, cpuMs: cpuMsOf(pid) });
	};
	sample();
	const timer = setInterval(sample, sampleMs);
	const killTimer = setTimeout(
		() => {
			try {
				process.kill(-pid, 'SIGKILL');
			} catch {
				// gone
			}
		},
		opts.timeoutMs ?? 10 * 60_000,
	);
	const code = await new Promise<number | null>((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (c) => resolve(c));
	});
	const exitedAt = Date.now();
	clearInterval(timer);
	clearTimeout(killTimer);
	const stdout = readFileSync(outFile, 'utf8');
	const parsed = parseExecutionOutput(stdout) ?? parseExecutionOutput(err);
	if (!parsed) {
		writeFileSync(outFile, `${stdout}\n----- stderr -----\n${err}`);
		throw new Error(
			`n8n execute --id=${id} printed no run data (exit ${String(code)}; output kept in ${outFile})`,
		);
	}
	if (process.env.BENCH_DUMP_SAMPLES) {
		// Kept: with BENCH_NODE_OPTIONS=--trace-gc, V8's GC lines (ms since the process started) are here.
		writeFileSync(
			path.join(process.env.BENCH_DUMP_SAMPLES, `${id}-${spawnedAt}.stdout.txt`),
			stdout,
		);
	}
	rmSync(outFile, { force: true });
	if (process.env.BENCH_DUMP_SAMPLES) {
		writeFileSync(
			path.join(process.env.BENCH_DUMP_SAMPLES, `${id}-${spawnedAt}.json`),
			JSON.stringify({ samples, runData: summarizeRunData(parsed) }),
		);
	}
	const data = parsed.data as {
		resultData: { runData?: Record<string, NodeRun[]>; error?: { message?: string } };
	};
	return {
		status:
			typeof parsed.status === 'string'
				? parsed.status
				: data.resultData.error
					? 'error'
					: 'unknown',
		exitCode: code,
		runData: data.resultData.runData ?? {},
		error: data.resultData.error,
		spawnedAt,
		exitedAt,
		samples,
		stderrTail: err.slice(-3000),
		pid,
		progressLines: countProgressLines(stdout) + progressInStderr + countProgressLines(partial),
	};
}

/** Start time (epoch ms) and duration of a node's first run, from n8n's run data. */
export function nodeWindow(
	exec: BenchExecution,
	nodeName: string,
): { start: number; end: number } | undefined {
	const run = exec.runData[nodeName]?.[0] as (NodeRun & { startTime?: number }) | undefined;
	if (!run || typeof run.startTime !== 'number') return undefined;
	return { start: run.startTime, end: run.startTime + (run.executionTime ?? 0) };
}

export const MB = 1024 * 1024;

/** Peak of a sample field within [from, to] (all samples when omitted). */
export function peak(
	samples: RssSample[],
	field: 'main' | 'tree',
	from = -Infinity,
	to = Infinity,
): number {
	let max = 0;
	for (const s of samples) if (s.t >= from && s.t <= to && s[field] > max) max = s[field];
	return max;
}

/** CPU time the process used between `from` and `to` (from the samples nearest before each), ms. */
export function cpuBetween(samples: RssSample[], from: number, to: number): number {
	const a = lastBefore(samples, from)?.cpuMs ?? 0;
	const b = lastBefore(samples, to)?.cpuMs ?? a;
	return b - a;
}

/** The last sample taken before `t` (the process's memory just before something started). */
export function lastBefore(samples: RssSample[], t: number): RssSample | undefined {
	let found: RssSample | undefined;
	for (const s of samples) if (s.t < t) found = s;
	return found;
}

/** Start and duration of each node (for BENCH_DUMP_SAMPLES). */
function summarizeRunData(parsed: Record<string, unknown>): Record<string, unknown> {
	const runData =
		(parsed.data as { resultData?: { runData?: Record<string, NodeRun[]> } }).resultData?.runData ??
		{};
	return Object.fromEntries(
		Object.entries(runData).map(([name, runs]) => {
			const r = runs[0] as NodeRun & { startTime?: number };
			return [name, { startTime: r?.startTime, executionTime: r?.executionTime }];
		}),
	);
}
