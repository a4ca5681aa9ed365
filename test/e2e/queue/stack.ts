/**
 * n8n in queue mode for the end-to-end tests: PostgreSQL, Redis, the emulator, one main
 * (`n8n start`: webhooks, triggers, the queue's producer) and workers (`n8n worker`), each n8n
 * process with its own user folder holding this package as a community package, binary data in
 * `database` mode (the default in queue mode, set here so a changed default cannot hide it).
 *
 *   const q = await startQueueStack({ workers: 2 });
 *   await q.main.importWorkflow(wf); await q.main.publishWorkflow(wf.id);
 *   await q.start();                        // main + workers, ready
 *   await fetch(q.webhookUrl('path'), …);   // an execution, run by a worker
 *   q.workerOf(executionId);                // which worker's log says it ran it
 *   await q.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';

import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator';
import {
	EXAMPLE_CREDENTIAL,
	delay,
	freePort,
	nucleusCredential,
	prepareN8n,
	runProcess,
	type N8n,
} from '../n8n';
import {
	ensureServicesInstalled,
	startPostgres,
	startRedis,
	type Postgres,
	type Redis,
} from './services';

export interface QueueStackOptions {
	/** Number of `n8n worker` processes (default 2). */
	workers?: number;
	/** `--concurrency` of each worker (default 5). */
	concurrency?: number;
	/** Extra environment for every n8n process (main and workers). */
	env?: Record<string, string>;
	emulator?: EmulatorOptions;
}

export interface Worker {
	/** worker-1, worker-2, …: the host name it runs under, so n8n gives it its own hostId. */
	name: string;
	n8n: N8n;
	child: ChildProcess;
	/** Resolves when the process has exited. */
	exited: Promise<void>;
	log(): string;
}

export interface ProcessMemory {
	name: string;
	/** Resident memory of the process and its children (n8n's task runner), in MiB. */
	rssMiB: number;
}

export class QueueStack {
	readonly workers: Worker[] = [];
	private readonly logs: WriteStream[] = [];

	constructor(
		readonly emu: Emulator,
		readonly pg: Postgres,
		readonly redis: Redis,
		/** The main instance; CLI commands (import, publish) run with its settings. */
		readonly main: N8n,
		private readonly workerN8ns: N8n[],
		private readonly concurrency: number,
	) {}

	/** Starts main (ready when /healthz/readiness answers) and the workers (ready when they say so). */
	async start(): Promise<void> {
		await this.main.start({ timeoutMs: 180_000 });
		await Promise.all(this.workerN8ns.map((n8n, i) => this.startWorker(n8n, `worker-${i + 1}`)));
		// Workers are kept in name order (startWorker pushes them as they come up).
		this.workers.sort((a, b) => a.name.localeCompare(b.name));
	}

	webhookUrl(webhookPath: string): string {
		if (!this.main.baseUrl) throw new Error('start() first');
		return `${this.main.baseUrl}/webhook/${webhookPath}`;
	}

	/**
	 * The worker whose log says "Worker started execution <id>" (n8n's job processor logs it at
	 * info level when it picks up the job), or undefined.
	 */
	workerOf(executionId: string | number): Worker | undefined {
		const line = new RegExp(`Worker started execution ${String(executionId)} \\(job`);
		return this.workers.find((w) => line.test(w.log()));
	}

	/** SIGKILL of the worker's whole process group (n8n and its task runner), as a crash would. */
	async kill(worker: Worker): Promise<void> {
		if (worker.child.pid !== undefined && worker.child.exitCode === null) {
			process.kill(-worker.child.pid, 'SIGKILL');
		}
		await worker.exited;
	}

	/** Starts a killed worker again, under the same name and user folder (its log goes on). */
	async restart(worker: Worker): Promise<Worker> {
		const index = this.workers.indexOf(worker);
		if (index < 0) throw new Error(`${worker.name} is not a worker of this stack`);
		if (worker.child.exitCode === null && worker.child.signalCode === null) {
			throw new Error(`${worker.name} is still running`);
		}
		this.workers.splice(index, 1);
		const previous = worker.log();
		const restarted = await this.startWorker(worker.n8n, worker.name, previous);
		return restarted;
	}

	/** `status` and `finished` of an execution as n8n stored it in PostgreSQL. */
	async execution(id: string | number): Promise<{ status: string; finished: boolean } | undefined> {
		const rows = await this.pg.query(
			`SELECT status, finished FROM execution_entity WHERE id = ${Number(id)}`,
		);
		if (!rows.length) return undefined;
		return { status: rows[0][0], finished: rows[0][1] === 't' };
	}

	/** Ids of the workflow's executions, oldest first. */
	async executionIds(workflowId: string): Promise<string[]> {
		const rows = await this.pg.query(
			`SELECT id FROM execution_entity WHERE "workflowId" = '${workflowId.replace(/'/g, "''")}' ORDER BY id`,
		);
		return rows.map((r) => r[0]);
	}

	/** Resident memory of every server process of the stack, now. */
	async memory(): Promise<ProcessMemory[]> {
		const ps = await runProcess('ps', ['-eo', 'pid=,ppid=,rss=']);
		const rows = ps.stdout
			.split('\n')
			.map((l) => l.trim().split(/\s+/).map(Number))
			.filter((r) => r.length === 3 && r.every(Number.isFinite));
		const rssOfTree = (root: number | undefined): number => {
			if (root === undefined) return 0;
			let kb = 0;
			const todo = [root];
			while (todo.length) {
				const pid = todo.pop()!;
				for (const [p, parent, rss] of rows) {
					if (p === pid) kb += rss;
					if (parent === pid) todo.push(p);
				}
			}
			return Math.round(kb / 1024);
		};
		const entries: Array<[string, number | undefined]> = [
			['n8n main', this.main.serverPid],
			...this.workers.map((w): [string, number | undefined] => [`n8n ${w.name}`, w.child.pid]),
			['postgresql', await this.pg.pid()],
			['redis', this.redis.pid()],
		];
		return entries.map(([name, pid]) => ({ name, rssMiB: rssOfTree(pid) }));
	}

	async close(): Promise<void> {
		await Promise.allSettled(this.workers.map((w) => this.stopWorker(w)));
		await Promise.all(this.logs.map((log) => new Promise<void>((r) => log.end(r))));
		await this.main.cleanup();
		await Promise.allSettled(this.workerN8ns.map((n8n) => n8n.cleanup()));
		await Promise.allSettled([this.redis.close(), this.pg.close(), this.emu.close()]);
	}

	private async startWorker(n8n: N8n, name: string, previousLog = ''): Promise<Worker> {
		const brokerPort = await freePort();
		const env = n8n.env({ N8N_RUNNERS_BROKER_PORT: String(brokerPort) });
		const logFile = path.join(n8n.userFolder, `n8n-${name}.log`);
		const log = createWriteStream(logFile, { flags: 'a' });
		this.logs.push(log);
		// A UTS namespace per worker gives each its own host name and so its own n8n hostId (two
		// workers on one host otherwise share one and n8n warns); without the privilege to create
		// one, the worker runs as it is.
		const canUnshare =
			(await runProcess('unshare', ['--uts', 'true']).catch(() => ({ code: 1 }))).code === 0;
		const command = canUnshare ? 'unshare' : n8n.install.n8nBin;
		const args = canUnshare
			? [
					'--uts',
					'sh',
					'-c',
					'hostname "$1" && shift && exec "$@"',
					'sh',
					name,
					n8n.install.n8nBin,
					'worker',
					`--concurrency=${this.concurrency}`,
				]
			: ['worker', `--concurrency=${this.concurrency}`];
		const child = spawn(command, args, {
			cwd: n8n.userFolder,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		let output = previousLog;
		const readyBefore = (previousLog.match(/n8n worker is now ready/g) ?? []).length;
		const onData = (c: Buffer) => {
			log.write(c);
			output += c.toString();
			if (n8n.verbose) process.stderr.write(`[${name}] ${c.toString()}`);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		const worker: Worker = { name, n8n, child, exited, log: () => output };
		this.workers.push(worker);
		let gone = false;
		void exited.then(() => (gone = true));
		const deadline = Date.now() + 180_000;
		while ((output.match(/n8n worker is now ready/g) ?? []).length <= readyBefore) {
			if (gone || Date.now() > deadline) {
				throw new Error(`${name} did not become ready (log ${logFile}):\n${output.slice(-3000)}`);
			}
			await delay(200);
		}
		return worker;
	}

	private async stopWorker(worker: Worker): Promise<void> {
		const { child } = worker;
		if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
		process.kill(-child.pid, 'SIGTERM');
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// already gone
			}
		}, 30_000);
		await worker.exited;
		clearTimeout(timer);
	}
}

/**
 * Installs (first use) and starts PostgreSQL, Redis and the emulator, prepares the n8n user folders
 * (main + workers, all on the same database and queue) and imports the emulator credential. n8n
 * itself starts with `start()`, after the workflows are imported and published.
 */
export async function startQueueStack(options: QueueStackOptions = {}): Promise<QueueStack> {
	await ensureServicesInstalled();
	const closers: Array<() => Promise<void>> = [];
	try {
		const emu = await startEmulator({ profile: 'fast', ...options.emulator });
		closers.push(() => emu.close());
		const pg = await startPostgres();
		closers.push(() => pg.close());
		const redis = await startRedis();
		closers.push(() => redis.close());
		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pg.host,
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: pg.database,
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: pg.password,
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			// Keep every execution's data, successful ones included, for the checks.
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			...options.env,
		};
		const main = await prepareN8n({ label: 'queue-main', env });
		closers.push(() => main.cleanup());
		const workerN8ns: N8n[] = [];
		for (let i = 1; i <= (options.workers ?? 2); i++) {
			const w = await prepareN8n({ label: `queue-worker-${i}`, env });
			closers.push(() => w.cleanup());
			workerN8ns.push(w);
		}
		await main.importCredentials([nucleusCredential(emu.apiKey, emu.baseUrl, EXAMPLE_CREDENTIAL)]);
		return new QueueStack(emu, pg, redis, main, workerN8ns, options.concurrency ?? 5);
	} catch (error) {
		for (const close of closers.reverse()) await close().catch(() => {});
		throw error;
	}
}
