/**
 * Child processes for the end-to-end tests (./n8n.ts runs n8n and npm through these): a clean
 * environment, a run with a timeout that kills the whole process group, and small helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** npm settings worth passing on to child npm commands (registry, TLS, proxy, cache). */
const NPM_CONFIG_KEPT =
	/^npm_config_(registry|cafile|ca|cache|userconfig|globalconfig|proxy|https_proxy|http_proxy|noproxy|strict_ssl|offline|prefer_offline|prefer_online|fetch_[a-z_]+)$/i;

/**
 * The test runner's and `npm run`'s own variables must not leak into n8n or npm child processes
 * (npm_config_local_prefix, for one, would redirect `npm install`); N8N_* come only from here.
 */
export function cleanEnv(): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (v === undefined) continue;
		if (k === 'NODE_OPTIONS' || k === 'NODE_TEST_CONTEXT' || k.startsWith('TSX_')) continue;
		if (k.startsWith('npm_') && !NPM_CONFIG_KEPT.test(k)) continue;
		if (k.startsWith('N8N_') || k === 'INIT_CWD') continue;
		env[k] = v;
	}
	return env;
}

export interface RunOptions {
	cwd?: string;
	env?: NodeJS.ProcessEnv;
	timeoutMs?: number;
	stderr?: 'pipe' | 'inherit';
	echo?: boolean;
}

export function runProcess(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, {
			cwd: opts.cwd,
			env: opts.env ?? cleanEnv(),
			stdio: ['ignore', 'pipe', opts.stderr === 'inherit' ? 'inherit' : 'pipe'],
			detached: true,
		});
		let stdout = '';
		let stderr = '';
		child.stdout!.on('data', (c: Buffer) => {
			stdout += c.toString();
			if (opts.echo) process.stderr.write(c);
		});
		child.stderr?.on('data', (c: Buffer) => {
			stderr += c.toString();
			if (opts.echo) process.stderr.write(c);
		});
		let timedOut = false;
		const timer = opts.timeoutMs
			? setTimeout(() => {
					timedOut = true;
					killGroup(child, 'SIGKILL');
				}, opts.timeoutMs)
			: undefined;
		child.once('error', (err) => {
			if (timer) clearTimeout(timer);
			reject(err);
		});
		child.once('close', (code, signal) => {
			if (timer) clearTimeout(timer);
			if (timedOut) {
				reject(
					new Error(
						`${path.basename(cmd)} ${args.join(' ')} timed out after ${opts.timeoutMs} ms:\n${tail(stdout + stderr)}`,
					),
				);
				return;
			}
			resolve({ code, signal, stdout, stderr });
		});
	});
}

/** Signals the whole process group (n8n starts a task-runner child). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined) return;
	try {
		process.kill(-child.pid, signal);
	} catch {
		try {
			child.kill(signal);
		} catch {
			// already gone
		}
	}
}

export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

export function delay(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export function lastLine(text: string): string {
	const lines = text
		.split(/\r?\n/)
		.map((l) => l.trim())
		.filter(Boolean);
	return lines[lines.length - 1] ?? '';
}

export function tail(text: string, n = 60): string {
	return text.split(/\r?\n/).slice(-n).join('\n');
}
