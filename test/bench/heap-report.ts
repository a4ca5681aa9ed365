/**
 * Sums a sampling heap profile written by heap-probe.cjs (`npm run bench -- --heap-prof DIR`):
 * `tsx test/bench/heap-report.ts DIR/<pid>.heapprofile [--top N]`. Every allocation V8 sampled,
 * collected or not, is counted (V8 scales each sample to the bytes it stands for). Prints:
 *  - the bytes allocated with one of this package's frames on the stack, by the package function
 *    nearest to the allocation (what of ours asked for it, a JSON.stringify or n8n helper under it
 *    included), and their total: the node's own allocations;
 *  - the biggest allocating functions of the whole process, for n8n's share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
	columnNumber: number;
}

interface ProfileNode {
	callFrame: CallFrame;
	selfSize: number;
	id: number;
	children: ProfileNode[];
}

const PACKAGE = 'n8n-nodes-scale-nucleus';
/** The installed package's compiled files (the n8n install's cache folder has the package's name too). */
const PACKAGE_FILES = `${process.env.HEAP_REPORT_PACKAGE_FILES ?? `node_modules/${PACKAGE}/dist/`}`;

function frameName(f: CallFrame): string {
	const file = f.url ? f.url.replace(/^file:\/\//, '') : '(native)';
	return `${f.functionName || '(anonymous)'} ${path.basename(file)}:${f.lineNumber + 1}`;
}

function mb(bytes: number): string {
	return (bytes / 1024 / 1024).toFixed(1).padStart(8);
}

function main(): void {
	const file = process.argv[2];
	if (!file) throw new Error('usage: heap-report.ts <file.heapprofile> [--top N]');
	const top = Number(process.argv[process.argv.indexOf('--top') + 1]) || 25;
	const profile = JSON.parse(readFileSync(file, 'utf8')) as { head: ProfileNode };

	const ours = new Map<string, number>();
	const any = new Map<string, number>();
	let total = 0;
	let ourTotal = 0;
	const walk = (node: ProfileNode, nearestOurs: string | undefined): void => {
		const name = frameName(node.callFrame);
		const mine = node.callFrame.url.includes(PACKAGE_FILES) ? name : nearestOurs;
		total += node.selfSize;
		any.set(name, (any.get(name) ?? 0) + node.selfSize);
		if (mine) {
			ourTotal += node.selfSize;
			ours.set(mine, (ours.get(mine) ?? 0) + node.selfSize);
		}
		for (const child of node.children) walk(child, mine);
	};
	walk(profile.head, undefined);

	const print = (title: string, map: Map<string, number>): void => {
		process.stdout.write(`\n${title}\n`);
		for (const [name, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
			process.stdout.write(`${mb(bytes)} MB  ${name}\n`);
		}
	};
	process.stdout.write(
		`allocated in the process (sampled, collected objects included): ${mb(total)} MB\n` +
			`of which with a frame of ${PACKAGE} on the stack:            ${mb(ourTotal)} MB\n`,
	);
	print(`by the ${PACKAGE} function nearest to the allocation:`, ours);
	print('by allocating function, whole process:', any);
}

main();
