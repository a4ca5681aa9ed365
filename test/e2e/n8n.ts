/**
 * Runs a real n8n (pinned 2.41.1 on its own Node 24) with this package installed the way n8n
 * installs community packages, for the end-to-end tests, the demo and the screenshot script.
 *
 *   const n8n = await prepareN8n();                   // install/find n8n, pack + install us
 *   await n8n.importCredentials([credential(...)]);    // n8n import:credentials
 *   await n8n.importWorkflow(workflowJson);            // n8n import:workflow
 *   const run = await n8n.execute(id);                 // n8n execute --id --rawOutput, parsed
 *   await n8n.start(); ... await n8n.stop();           // n8n start (trigger, editor UI)
 *   await n8n.cleanup();
 *
 * The test process runs on Node 20; every n8n command runs with the Node 24 binary first on PATH.
 * Child processes: ./process.ts; workflow and credential JSON: ./workflow-json.ts (both re-exported
 * here, so `from './n8n'` gives all of it). Over ~350 lines because it is one thing, the n8n instance:
 * installing and packing (memoized), the N8n class with one method per n8n CLI command, and reading
 * what `n8n execute` printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, type WriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	cleanEnv,
	delay,
	freePort,
	killGroup,
	lastLine,
	runProcess,
	tail,
	type RunResult,
} from './process';
import { loadWorkflow, type WorkflowJson } from './workflow-json';

export { delay, freePort, runProcess, type RunResult } from './process';
export {
	findNode,
	loadWorkflow,
	nucleusCredential,
	replaceInWorkflow,
	type WorkflowJson,
	type WorkflowNode,
} from './workflow-json';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
export const PACKAGE_NAME = 'n8n-nodes-scale-nucleus';
export const NODE_TYPE = `${PACKAGE_NAME}.scaleNucleus`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.scaleNucleusTrigger`;
export const CREDENTIAL_TYPE = 'scaleNucleusApi';
/** Credential id and name the example workflows reference. */
export const EXAMPLE_CREDENTIAL = {
	id: 'nucleusDemoCred1',
	name: 'Scale Nucleus (emulator)',
} as const;

const INSTALL_SCRIPT = path.join(__dirname, 'install-n8n.sh');
const ENCRYPTION_KEY = 'n8n-nodes-scale-nucleus-e2e-fixed-key';

export interface N8nInstall {
	/** Cache folder holding node_modules/n8n. */
	dir: string;
	/** Folder with the Node 24 `node` binary. */
	nodeBinDir: string;
	/** Path of the n8n CLI script. */
	n8nBin: string;
}

export interface ItemData {
	json: Record<string, unknown>;
	binary?: Record<string, Record<string, unknown>>;
	pairedItem?: { item: number; input?: number } | Array<{ item: number; input?: number }> | number;
	error?: unknown;
}

export interface NodeRun {
	executionStatus?: string;
	executionTime?: number;
	error?: { message?: string; description?: string; [key: string]: unknown };
	data?: { main?: Array<ItemData[] | null> };
	[key: string]: unknown;
}

export interface ExecutionResult {
	/** 'success' | 'error' | ... as n8n stores it. */
	status: string;
	finished: boolean;
	runData: Record<string, NodeRun[]>;
	lastNodeExecuted?: string;
	/** The workflow-level error (a node that stopped the run), if any. */
	error?: {
		message?: string;
		description?: string;
		node?: { name?: string };
		[key: string]: unknown;
	};
	startedAt?: string;
	stoppedAt?: string;
	/** The whole parsed object n8n printed. */
	raw: Record<string, unknown>;
	/** Exit code of `n8n execute`. */
	exitCode: number | null;
}

export interface CredentialEntity {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface PrepareOptions {
	/** Extra environment for every n8n command of this instance (e.g. N8N_DEFAULT_BINARY_DATA_MODE). */
	env?: Record<string, string>;
	/** Label used in the temporary folder name. */
	label?: string;
	/** Keep the user folder after cleanup() (also when E2E_KEEP=1). */
	keep?: boolean;
	/** Print n8n's output to stderr while commands run (also when E2E_VERBOSE=1). */
	verbose?: boolean;
}

// ---------------------------------------------------------------- install and pack (memoized)

let installPromise: Promise<N8nInstall> | undefined;

/** Runs install-n8n.sh (installs on first use, seconds afterwards) and returns the cache paths. */
export function ensureN8nInstalled(): Promise<N8nInstall> {
	installPromise ??= (async () => {
		// The script logs progress to stderr (shown: the first install takes minutes) and prints the
		// cache folder as its last stdout line.
		// N8N_VERSION picks another n8n for the compatibility runs (npm run test:compat); cleanEnv
		// keeps N8N_* variables away from n8n itself, so it is passed on by name.
		const version = process.env.N8N_VERSION;
		const result = await runProcess('bash', [INSTALL_SCRIPT], {
			env: { ...cleanEnv(), ...(version ? { N8N_VERSION: version } : {}) },
			stderr: 'inherit',
			timeoutMs: 30 * 60_000,
		});
		const dir = lastLine(result.stdout);
		if (result.code !== 0 || !dir) {
			throw new Error(
				`install-n8n.sh failed (exit ${String(result.code)}):\n${tail(result.stdout + result.stderr)}`,
			);
		}
		const nodeBinDir = (await readFile(path.join(dir, '.node-bin'), 'utf8')).trim();
		const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
		if (!existsSync(path.join(nodeBinDir, 'node')) || !existsSync(n8nBin)) {
			throw new Error(`n8n cache at ${dir} is incomplete; delete it and run again`);
		}
		return { dir, nodeBinDir, n8nBin };
	})();
	installPromise.catch(() => (installPromise = undefined));
	return installPromise;
}

let workRoot: string | undefined;
async function getWorkRoot(): Promise<string> {
	workRoot ??= await mkdtemp(path.join(tmpdir(), 'nucleus-e2e-'));
	return workRoot;
}

let packPromise: Promise<string> | undefined;

/**
 * `npm pack` of the built package (dist/ must be current: `npm run build` first; the test:e2e and
 * demo scripts do). Returns the tarball path. Once per process.
 */
export function packPackage(): Promise<string> {
	packPromise ??= (async () => {
		for (const rel of [
			'dist/nodes/ScaleNucleus/ScaleNucleus.node.js',
			'dist/credentials/ScaleNucleusApi.credentials.js',
		]) {
			if (!existsSync(path.join(REPO_ROOT, rel))) {
				throw new Error(`${rel} is missing: run \`npm run build\` before the end-to-end tests`);
			}
		}
		const dest = path.join(await getWorkRoot(), 'pack');
		await mkdir(dest, { recursive: true });
		const result = await runProcess(
			'npm',
			['pack', '--json', '--ignore-scripts', '--pack-destination', dest],
			{
				cwd: REPO_ROOT,
				env: cleanEnv(),
			},
		);
		if (result.code !== 0)
			throw new Error(`npm pack failed:\n${tail(result.stderr || result.stdout)}`);
		const info = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{
			filename: string;
		}>;
		// npm 10 reports scoped names with '@' and '/'; the file has them mangled.
		const file = info[0].filename.replace(/^@/, '').replace(/\//, '-');
		return path.join(dest, file);
	})();
	packPromise.catch(() => (packPromise = undefined));
	return packPromise;
}

let nodesDirPromise: Promise<string> | undefined;

/**
 * A `.n8n/nodes` folder with the packed package installed the way n8n 2.41's community package
 * installer does it (CommunityPackagesService.downloadPackage): the tarball unpacked into
 * node_modules/<name>, dev/peer/optional dependencies dropped from its package.json, then
 * `npm install --install-strategy=shallow --ignore-scripts` inside it, and the package listed in
 * nodes/package.json. Built once per process and copied into each user folder.
 */
function buildNodesTemplate(): Promise<string> {
	nodesDirPromise ??= (async () => {
		const tarball = await packPackage();
		const nodesDir = path.join(await getWorkRoot(), 'nodes-template');
		const pkgDir = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
		await mkdir(pkgDir, { recursive: true });
		const untar = await runProcess('tar', ['-xzf', tarball, '-C', pkgDir, '--strip-components=1']);
		if (untar.code !== 0) throw new Error(`tar failed: ${untar.stderr}`);
		const pkgJsonPath = path.join(pkgDir, 'package.json');
		const pkgJson = JSON.parse(await readFile(pkgJsonPath, 'utf8')) as Record<string, unknown>;
		delete pkgJson.devDependencies;
		delete pkgJson.peerDependencies;
		delete pkgJson.optionalDependencies;
		await writeFile(pkgJsonPath, JSON.stringify(pkgJson, null, 2));
		const install = await runProcess(
			'npm',
			[
				'install',
				'--audit=false',
				'--fund=false',
				'--bin-links=false',
				'--install-strategy=shallow',
				'--ignore-scripts=true',
				'--package-lock=false',
				'--no-save',
			],
			{ cwd: pkgDir, env: cleanEnv(), timeoutMs: 10 * 60_000 },
		);
		if (install.code !== 0)
			throw new Error(`npm install of the package's dependencies failed:\n${tail(install.stderr)}`);
		await writeFile(
			path.join(nodesDir, 'package.json'),
			JSON.stringify(
				{
					name: 'installed-nodes',
					private: true,
					dependencies: { [PACKAGE_NAME]: pkgJson.version },
				},
				null,
				2,
			),
		);
		return nodesDir;
	})();
	nodesDirPromise.catch(() => (nodesDirPromise = undefined));
	return nodesDirPromise;
}

// ---------------------------------------------------------------- the instance

/** Installs/finds n8n, packs and installs this package into a fresh user folder. */
export async function prepareN8n(options: PrepareOptions = {}): Promise<N8n> {
	const [install, nodesTemplate] = await Promise.all([ensureN8nInstalled(), buildNodesTemplate()]);
	const root = await getWorkRoot();
	const userFolder = await mkdtemp(path.join(root, `user-${options.label ?? 'n8n'}-`));
	await cp(nodesTemplate, path.join(userFolder, '.n8n', 'nodes'), { recursive: true });
	const filesDir = path.join(userFolder, 'files');
	await mkdir(filesDir, { recursive: true });
	return new N8n(install, userFolder, filesDir, options);
}

export class N8n {
	private server?: { child: ChildProcess; exited: Promise<void>; log: WriteStream };
	private counter = 0;
	baseUrl?: string;
	readonly verbose: boolean;

	constructor(
		readonly install: N8nInstall,
		/** N8N_USER_FOLDER (n8n keeps its data in <userFolder>/.n8n). */
		readonly userFolder: string,
		/** The only folder n8n's file nodes may read and write (N8N_RESTRICT_FILE_ACCESS_TO). */
		readonly filesDir: string,
		private readonly options: PrepareOptions,
	) {
		this.verbose = options.verbose ?? process.env.E2E_VERBOSE === '1';
	}

	/** Environment of every n8n command. */
	env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
		return {
			...cleanEnv(),
			PATH: `${this.install.nodeBinDir}${path.delimiter}${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_RESTRICT_FILE_ACCESS_TO: this.filesDir,
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_LOG_OUTPUT: 'console',
			N8N_LOG_LEVEL: 'info',
			DB_TYPE: 'sqlite',
			GENERIC_TIMEZONE: 'UTC',
			TZ: 'UTC',
			// Loopback traffic (emulator, sink) must never go through a proxy.
			NO_PROXY: [process.env.NO_PROXY, '127.0.0.1', 'localhost'].filter(Boolean).join(','),
			no_proxy: [process.env.no_proxy, '127.0.0.1', 'localhost'].filter(Boolean).join(','),
			...this.options.env,
			...extra,
		};
	}

	/** Runs `n8n <args>` to completion. */
	async run(
		args: string[],
		opts: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<RunResult> {
		// Each command gets its own task-broker port so it never collides with a running `n8n start`
		// or another n8n on this machine.
		const brokerPort = String(await freePort());
		return await runProcess(this.install.n8nBin, args, {
			env: this.env({ N8N_RUNNERS_BROKER_PORT: brokerPort, ...opts.env }),
			cwd: this.userFolder,
			timeoutMs: opts.timeoutMs ?? 5 * 60_000,
			echo: this.verbose,
		});
	}

	private async runOk(args: string[], opts: { timeoutMs?: number } = {}): Promise<RunResult> {
		const result = await this.run(args, opts);
		if (result.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} failed (exit ${String(result.code)}):\n${tail(result.stdout + '\n' + result.stderr)}`,
			);
		}
		return result;
	}

	private async writeTemp(name: string, data: unknown): Promise<string> {
		const dir = path.join(this.userFolder, 'import');
		await mkdir(dir, { recursive: true });
		const file = path.join(dir, `${++this.counter}-${name}.json`);
		await writeFile(file, JSON.stringify(data, null, 2));
		return file;
	}

	/** `n8n import:credentials` of plain (unencrypted) credential entities. */
	async importCredentials(credentials: CredentialEntity[]): Promise<void> {
		const file = await this.writeTemp('credentials', credentials);
		await this.runOk(['import:credentials', `--input=${file}`]);
	}

	/** `n8n import:workflow` of a workflow object or JSON file; returns its id. */
	async importWorkflow(workflow: WorkflowJson | string): Promise<string> {
		const wf = typeof workflow === 'string' ? await loadWorkflow(workflow) : workflow;
		if (!wf.id)
			throw new Error(`workflow "${wf.name}" needs an id (1-21 characters) to be run by id`);
		const file = await this.writeTemp(`workflow-${wf.id}`, wf);
		await this.runOk(['import:workflow', `--input=${file}`]);
		return wf.id;
	}

	/** `n8n publish:workflow`: the workflow becomes active on the next `n8n start`. */
	async publishWorkflow(id: string): Promise<void> {
		if (this.server)
			throw new Error('publish before start(): a running n8n does not see CLI activation');
		await this.runOk(['publish:workflow', `--id=${id}`]);
	}

	/**
	 * `n8n execute --id=<id> --rawOutput` and the run parsed from its output. A run that fails
	 * (a node error stops the workflow) still returns, with status 'error' and `error` set.
	 */
	async execute(
		id: string,
		opts: { timeoutMs?: number; env?: Record<string, string> } = {},
	): Promise<ExecutionResult> {
		const result = await this.run(['execute', `--id=${id}`, '--rawOutput'], opts);
		const parsed = parseExecutionOutput(result.stdout) ?? parseExecutionOutput(result.stderr);
		if (!parsed) {
			throw new Error(
				`n8n execute --id=${id} printed no run data (exit ${String(result.code)}):\n${tail(result.stdout + '\n' + result.stderr)}`,
			);
		}
		return toExecutionResult(parsed, result.code);
	}

	/** `n8n start` on a free loopback port; resolves when /healthz/readiness answers 200. */
	async start(opts: { port?: number; timeoutMs?: number } = {}): Promise<string> {
		if (this.server) throw new Error('n8n is already started');
		const port = opts.port ?? (await freePort());
		const brokerPort = await freePort();
		const logFile = path.join(this.userFolder, `n8n-start-${Date.now()}.log`);
		const log = createWriteStream(logFile);
		const child = spawn(this.install.n8nBin, ['start'], {
			cwd: this.userFolder,
			env: this.env({
				N8N_PORT: String(port),
				N8N_HOST: 'localhost',
				N8N_PROTOCOL: 'http',
				N8N_EDITOR_BASE_URL: `http://localhost:${port}`,
				WEBHOOK_URL: `http://localhost:${port}/`,
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
			}),
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		let output = '';
		const onData = (chunk: Buffer) => {
			log.write(chunk);
			if (output.length < 200_000) output += chunk.toString();
			if (this.verbose) process.stderr.write(chunk);
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		this.server = { child, exited, log };
		const url = `http://127.0.0.1:${port}`;
		const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
		let exitedEarly = false;
		void exited.then(() => (exitedEarly = true));
		while (Date.now() < deadline) {
			if (exitedEarly) break;
			try {
				const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				await res.arrayBuffer();
				if (res.ok) {
					this.baseUrl = url;
					return url;
				}
			} catch {
				// not listening yet
			}
			await delay(300);
		}
		await this.stop();
		throw new Error(`n8n start did not become ready (log ${logFile}):\n${tail(output)}`);
	}

	/** Pid of the running `n8n start` (the root of its process group), for memory figures. */
	get serverPid(): number | undefined {
		return this.server?.child.pid;
	}

	/** Text n8n start has logged so far. */
	async serverLog(): Promise<string> {
		const files = readdirSync(this.userFolder).filter((f) => f.startsWith('n8n-start-'));
		const parts = await Promise.all(
			files.sort().map((f) => readFile(path.join(this.userFolder, f), 'utf8')),
		);
		return parts.join('\n');
	}

	/** Stops `n8n start` (SIGTERM, then SIGKILL after 20 s). */
	async stop(): Promise<void> {
		const server = this.server;
		if (!server) return;
		this.server = undefined;
		this.baseUrl = undefined;
		const { child, exited, log } = server;
		if (child.exitCode === null && child.signalCode === null) {
			killGroup(child, 'SIGTERM');
			const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 20_000);
			await exited;
			clearTimeout(timer);
		}
		await new Promise<void>((resolve) => log.end(resolve));
	}

	/** Creates the owner account (POST /rest/owner/setup) and returns the login. */
	async setupOwner(
		owner: { email: string; password: string; firstName?: string; lastName?: string } = DEMO_OWNER,
	): Promise<{ email: string; password: string }> {
		if (!this.baseUrl) throw new Error('start() first');
		const res = await fetch(`${this.baseUrl}/rest/owner/setup`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ firstName: 'Demo', lastName: 'User', ...owner }),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`owner setup failed: HTTP ${res.status} ${text.slice(0, 300)}`);
		return { email: owner.email, password: owner.password };
	}

	/** Stops n8n and deletes the user folder (kept when E2E_KEEP=1). */
	async cleanup(): Promise<void> {
		await this.stop();
		if (this.options.keep || process.env.E2E_KEEP === '1') {
			process.stderr.write(`[e2e] kept n8n user folder ${this.userFolder}\n`);
			return;
		}
		await rm(this.userFolder, { recursive: true, force: true, maxRetries: 3 });
	}
}

export const DEMO_OWNER = {
	email: 'demo@example.com',
	password: 'Demo-password-1',
	firstName: 'Demo',
	lastName: 'User',
};

/** Removes the per-process temporary folder (pack, template); call at the very end. */
export async function cleanupWorkRoot(): Promise<void> {
	if (!workRoot || process.env.E2E_KEEP === '1') return;
	const dir = workRoot;
	workRoot = undefined;
	packPromise = undefined;
	nodesDirPromise = undefined;
	await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

// ---------------------------------------------------------------- run data helpers

/** The items a node emitted on one output in its `runIndex`-th run ([] when none). */
export function nodeOutput(
	run: ExecutionResult,
	nodeName: string,
	outputIndex = 0,
	runIndex = 0,
): ItemData[] {
	const runs = run.runData[nodeName];
	if (!runs) return [];
	return runs[runIndex]?.data?.main?.[outputIndex] ?? [];
}

/** Names of the nodes that ran, for messages. */
export function describeRun(run: ExecutionResult): string {
	const parts = Object.entries(run.runData).map(([name, runs]) => {
		const outs = (runs[0]?.data?.main ?? []).map((o) => (o ? o.length : 0));
		const err = runs[0]?.error?.message ? ` error="${runs[0].error.message}"` : '';
		return `${name}[${outs.join(',')}]${err}`;
	});
	const err = run.error?.message ? ` error="${run.error.message}"` : '';
	return `status=${run.status}${err} nodes: ${parts.join(' ')}`;
}

/** First paired input index of an item. */
export function pairedIndex(item: ItemData): number | undefined {
	const p = item.pairedItem;
	if (p === undefined) return undefined;
	if (typeof p === 'number') return p;
	if (Array.isArray(p)) return p[0]?.item;
	return p.item;
}

/**
 * Finds the run JSON in `n8n execute` output. Log lines may come before and after it and the
 * JSON is pretty-printed, so try each line that is exactly "{" as a start and each later line
 * that is exactly "}" as an end; keep the last candidate that has data.resultData.
 */
export function parseExecutionOutput(output: string): Record<string, unknown> | undefined {
	const lines = output.split(/\r?\n/);
	const starts: number[] = [];
	const ends: number[] = [];
	lines.forEach((line, i) => {
		const t = line.replace(/\u001b\[[0-9;]*m/g, '');
		if (t === '{') starts.push(i);
		if (t === '}') ends.push(i);
	});
	for (let s = starts.length - 1; s >= 0; s--) {
		for (let e = ends.length - 1; e >= 0; e--) {
			if (ends[e] <= starts[s]) break;
			try {
				const obj = JSON.parse(lines.slice(starts[s], ends[e] + 1).join('\n')) as Record<
					string,
					unknown
				>;
				const data = obj.data as { resultData?: unknown } | undefined;
				if (data && typeof data === 'object' && data.resultData) return obj;
			} catch {
				// not this span
			}
		}
	}
	return undefined;
}

function toExecutionResult(obj: Record<string, unknown>, exitCode: number | null): ExecutionResult {
	const data = obj.data as {
		resultData: {
			runData?: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: ExecutionResult['error'];
		};
	};
	const error = data.resultData.error;
	return {
		status: typeof obj.status === 'string' ? obj.status : error ? 'error' : 'unknown',
		finished: obj.finished === true,
		runData: data.resultData.runData ?? {},
		lastNodeExecuted: data.resultData.lastNodeExecuted,
		error,
		startedAt: obj.startedAt as string | undefined,
		stoppedAt: obj.stoppedAt as string | undefined,
		raw: obj,
		exitCode,
	};
}
