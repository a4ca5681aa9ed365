/**
 * PostgreSQL and Redis for the queue-mode suite: Debian's binaries (installed on first use by
 * install-services.sh), each started as a plain process on a free loopback port with its data in a
 * temporary folder, and stopped (data removed) by close().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { delay, freePort, runProcess } from '../n8n';

const INSTALL_SCRIPT = path.join(__dirname, 'install-services.sh');

let installPromise: Promise<void> | undefined;

/** Runs install-services.sh once per process (apt-get on a fresh machine, nothing afterwards). */
export function ensureServicesInstalled(): Promise<void> {
	installPromise ??= (async () => {
		const result = await runProcess('bash', [INSTALL_SCRIPT], {
			stderr: 'inherit',
			timeoutMs: 20 * 60_000,
		});
		if (result.code !== 0) {
			throw new Error(`install-services.sh failed (exit ${String(result.code)})`);
		}
	})();
	installPromise.catch(() => (installPromise = undefined));
	return installPromise;
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root)
		? readdirSync(root)
				.filter((d) => existsSync(path.join(root, d, 'bin', 'initdb')))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (!majors.length) throw new Error(`no PostgreSQL server under ${root}`);
	return path.join(root, majors[0], 'bin');
}

export interface Postgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	/** The postmaster's pid (for memory figures). */
	pid(): Promise<number | undefined>;
	/** Runs one SQL statement with psql and returns its rows, fields split on '|'. */
	query(sql: string): Promise<string[][]>;
	close(): Promise<void>;
}

/**
 * initdb + pg_ctl as user postgres (PostgreSQL refuses to run as root), trust authentication on
 * 127.0.0.1 only, the Unix socket in the data folder so no system path is needed.
 */
export async function startPostgres(database = 'n8n'): Promise<Postgres> {
	const bin = postgresBinDir();
	const dir = await mkdtemp(path.join(tmpdir(), 'nucleus-queue-pg-'));
	const dataDir = path.join(dir, 'data');
	const logFile = path.join(dir, 'postgres.log');
	const ids = await runProcess('id', ['-u', 'postgres']);
	const gids = await runProcess('id', ['-g', 'postgres']);
	await chown(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
	await chmod(dir, 0o700);
	const asPostgres = async (cmd: string, args: string[]) => {
		const r = await runProcess('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], {
			cwd: dir,
			timeoutMs: 120_000,
		});
		if (r.code !== 0) {
			throw new Error(`${cmd} failed (exit ${String(r.code)}): ${r.stderr || r.stdout}`);
		}
		return r;
	};
	const port = await freePort();
	await asPostgres('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8']);
	// fsync off: the data is thrown away after the suite, so durability only costs time.
	await asPostgres('pg_ctl', [
		'-D',
		dataDir,
		'-l',
		logFile,
		'-w',
		'-o',
		`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
		'start',
	]);
	const pg: Postgres = {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		// Trust authentication: n8n sends it, the server does not check it.
		password: 'postgres',
		database,
		async pid() {
			try {
				return Number(
					(await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
				);
			} catch {
				return undefined;
			}
		},
		async query(sql: string) {
			const r = await runProcess(
				'psql',
				['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-At', '-c', sql],
				{ timeoutMs: 60_000 },
			);
			if (r.code !== 0) throw new Error(`psql failed: ${r.stderr}`);
			return r.stdout
				.split('\n')
				.filter((l) => l.length)
				.map((l) => l.split('|'));
		},
		async close() {
			// fsync off: the data is thrown away after the suite, so durability only costs time.
			await asPostgres('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => {});
			await rm(dir, { recursive: true, force: true, maxRetries: 3 });
		},
	};
	try {
		const r = await runProcess(
			'psql',
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-c',
				`CREATE DATABASE ${database}`,
			],
			{ timeoutMs: 60_000 },
		);
		if (r.code !== 0) throw new Error(`CREATE DATABASE failed: ${r.stderr}`);
	} catch (error) {
		await pg.close();
		throw error;
	}
	return pg;
}

export interface Redis {
	host: string;
	port: number;
	pid(): number | undefined;
	close(): Promise<void>;
}

/** redis-server in the foreground, no persistence (nothing written to disk). */
export async function startRedis(): Promise<Redis> {
	const port = await freePort();
	const dir = await mkdtemp(path.join(tmpdir(), 'nucleus-queue-redis-'));
	const log = createWriteStream(path.join(dir, 'redis.log'));
	const child: ChildProcess = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	let output = '';
	const onData = (c: Buffer) => {
		log.write(c);
		output += c.toString();
	};
	child.stdout!.on('data', onData);
	child.stderr!.on('data', onData);
	const close = async () => {
		if (child.exitCode === null && child.signalCode === null) {
			child.kill('SIGTERM');
			await exited;
		}
		await new Promise<void>((resolve) => log.end(resolve));
		await rm(dir, { recursive: true, force: true, maxRetries: 3 });
	};
	const deadline = Date.now() + 30_000;
	while (!/Ready to accept connections/.test(output)) {
		if (child.exitCode !== null || Date.now() > deadline) {
			await close();
			throw new Error(`redis-server did not start:\n${output.slice(-2000)}`);
		}
		await delay(100);
	}
	return { host: '127.0.0.1', port, pid: () => child.pid, close };
}
