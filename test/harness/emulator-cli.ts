/**
 * The emulator's command line (test/emulator/cli.ts, what `npm run emulator` runs) in a child
 * process of this Node, from the repository root: started until it prints its one JSON line, or
 * run to its exit.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const REPO_ROOT = join(__dirname, '..', '..');
const CLI_ARGS = ['--import', 'tsx', 'test/emulator/cli.ts'];

export interface EmulatorCli {
	child: ChildProcessByStdio<null, Readable, Readable>;
	/** The JSON line the CLI prints once it serves (baseUrl, apiKey, datasets, config). */
	info: any;
	/** The exit code; resolves once the process has exited. */
	exited: Promise<number | null>;
}

/** Starts the CLI with `args` and waits for its first stdout line; stop it with `child.kill`. */
export async function startEmulatorCli(args: string[]): Promise<EmulatorCli> {
	const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	try {
		const line = await new Promise<string>((resolve, reject) => {
			let buf = '';
			child.stdout.on('data', (d: Buffer) => {
				buf += d.toString();
				const nl = buf.indexOf('\n');
				if (nl >= 0) resolve(buf.slice(0, nl));
			});
			child.on('exit', () => reject(new Error('cli exited early')));
		});
		return { child, info: JSON.parse(line), exited };
	} catch (error) {
		child.kill('SIGTERM');
		throw error;
	}
}

/** Runs the CLI with `args` to its exit: its exit code and what it wrote to stderr. */
export async function runEmulatorCli(
	args: string[],
): Promise<{ code: number | null; stderr: string }> {
	const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
	return { code, stderr };
}
