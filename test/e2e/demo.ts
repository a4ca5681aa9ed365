/**
 * `npm run demo` — the package inside a real n8n, against the Nucleus emulator, in one command.
 *
 *   npm run demo              runs examples 00 (the README's first append), 1 (1,000 remote
 *                             images, one job) and 2 (local PNG files through n8n's Read/Write
 *                             Files from Disk node), checks the result in the emulator, prints a
 *                             summary and exits 0.
 *   npm run demo -- --ui      also keeps n8n's editor running on localhost with the credential
 *   [--port 5678]             and every example workflow (00-08) imported and an owner account
 *                             set up, and a local S3 server (s3rver) with a few objects in the
 *                             buckets of examples 07 and 08; prints the address and login.
 *                             Ctrl-C stops everything.
 *
 * The first run installs n8n 2.41.1 and Node 24 into ~/.cache/n8n-nodes-scale-nucleus (minutes);
 * later runs reuse them.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { tinyPng } from '../harness/images';
import { startS3Server, type S3Server } from '../harness/s3';

import {
	cleanupWorkRoot,
	DEMO_OWNER,
	ensureN8nInstalled,
	freePort,
	REPO_ROOT,
	type N8n,
} from './n8n';
import { runFirstAppendExample, runLocalFilesExample, runRemoteAsyncExample } from './scenarios';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from './stack';

interface Args {
	ui: boolean;
	port?: number;
}

function parseArgs(argv: string[]): Args {
	const args: Args = { ui: false };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--ui') args.ui = true;
		else if (a === '--port' || a.startsWith('--port=')) {
			const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
			const port = Number(v);
			if (!Number.isInteger(port) || port <= 0 || port > 65535)
				fail(`--port needs a port number, got "${v}"`);
			args.port = port;
		} else if (a === '--help' || a === '-h') {
			process.stdout.write('usage: npm run demo [-- --ui [--port N]]\n');
			process.exit(0);
		} else fail(`unknown argument "${a}" (try --help)`);
	}
	return args;
}

function fail(message: string): never {
	process.stderr.write(`demo: ${message}\n`);
	process.exit(2);
}

const say = (line = '') => process.stdout.write(`${line}\n`);
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const num = (n: number) => n.toLocaleString('en-US');

async function portIsFree(port: number): Promise<boolean> {
	const { createServer } = await import('node:net');
	return await new Promise((resolve) => {
		const srv = createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const started = Date.now();
	const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
	};

	say('Scale Nucleus for n8n: demo');
	say(
		'Preparing n8n (the first run installs n8n and Node 24 into a cache folder; that takes a few minutes) ...',
	);
	const install = await ensureN8nInstalled();
	const n8nVersion = (
		JSON.parse(
			await readFile(path.join(install.dir, 'node_modules', 'n8n', 'package.json'), 'utf8'),
		) as {
			version: string;
		}
	).version;

	let stack: Stack | undefined;
	let s3: S3Server | undefined;
	let stopping = false;
	const shutdown = async (code: number) => {
		if (stopping) return;
		stopping = true;
		try {
			await stack?.close();
			await s3?.close();
			await cleanupWorkRoot();
		} finally {
			process.exit(code);
		}
	};
	process.on('SIGINT', () => {
		if (!stopping) say('\nStopping n8n and the emulator ...');
		void shutdown(0);
	});
	process.on('SIGTERM', () => void shutdown(0));

	try {
		// The bucket examples (07, 08) read a bucket through n8n's S3 credential; the editor gets one.
		// The emulator is not given the S3 server to read images from: examples 1, 3 and 4 use
		// placeholder s3:// URLs that it would then fail as missing objects.
		if (args.ui) s3 = await startS3Server();
		stack = await startStack({
			label: 'demo',
			...(s3 ? { s3, emulator: { s3Endpoint: undefined } } : {}),
		});
		const { emu, n8n } = stack;
		say(
			`n8n ${n8nVersion} (Node 24) with ${pkg.name}@${pkg.version} installed as a community package`,
		);
		say(`Nucleus emulator at ${emu.baseUrl}`);
		say();

		say(`0. ${EXAMPLES.firstAppend}: the README's first append, five public HTTPS images`);
		const r0 = await runFirstAppendExample(stack);
		say(
			`   dataset "${r0.datasetName}" (${r0.datasetId}) created, 5 images appended and waited for -> IF node: 5 succeeded / 0 failed; workflow ran in ${secs(r0.executionMs)}`,
		);
		say();

		say(`1. ${EXAMPLES.remoteAsync}: 1,000 remote images (s3:// and https://), one async job`);
		const r1 = await runRemoteAsyncExample(stack, 'demo: remote images');
		say(`   job ${r1.jobId}: ${r1.jobStatus}`);
		say(
			`   ${num(r1.appended)} items appended, ${num(r1.failed)} failed (hosts under .invalid) -> IF node: ${num(r1.appended)} succeeded / ${num(r1.failed)} failed`,
		);
		say(
			`   dataset ${r1.datasetId} holds ${num(emu.itemCount(r1.datasetId))} items; workflow ran in ${secs(r1.executionMs)} (${secs(r1.wallMs)} with n8n start-up)`,
		);
		say();

		say(`2. ${EXAMPLES.localFiles}: PNG files written and read by n8n, uploaded from binary data`);
		const r2 = await runLocalFilesExample(stack, 'filesystem', 'demo: local files');
		say(
			`   ${r2.files} files (${num(r2.bytes)} bytes) sent as ${r2.requests} batched multipart requests to append?async=1 (up to 10 images each), ${r2.jobs} AsyncJobs, waited for; the emulator's sha256 of every image matches the file on disk`,
		);
		say(
			`   dataset ${r2.datasetId} holds ${num(emu.itemCount(r2.datasetId))} items; workflow ran in ${secs(r2.executionMs)} (${secs(r2.wallMs)} with n8n start-up)`,
		);
		say();

		if (!args.ui) {
			say(
				`Demo passed in ${secs(Date.now() - started)}. Run \`npm run demo -- --ui\` to open the workflows in n8n's editor.`,
			);
			await shutdown(0);
			return;
		}
		if (!s3) throw new Error('the S3 server was not started');
		await startUi(stack, n8n, args, { remote: r1.datasetId, local: r2.datasetId }, s3);
	} catch (error) {
		process.stderr.write(`\nDemo failed: ${(error as Error).stack ?? String(error)}\n`);
		await shutdown(1);
	}
}

async function startUi(
	stack: Stack,
	n8n: N8n,
	args: Args,
	datasets: { remote: string; local: string },
	s3: S3Server,
): Promise<void> {
	const { emu } = stack;
	// A few objects for the bucket examples: 07 lists incoming/ of one bucket and has Nucleus read
	// them; 08 downloads uploads/ of the other and uploads the bytes.
	await s3.createBucket('nucleus-images');
	await s3.createBucket('nucleus-private');
	const png = (key: string, n: number) => ({ key, body: tinyPng(n), contentType: 'image/png' });
	await s3.putObjects(
		'nucleus-images',
		['sunny', 'foggy', 'rainy'].flatMap((f, i) =>
			[0, 1, 2].map((k) => png(`incoming/${f}/000${k}.png`, i * 3 + k)),
		),
	);
	await s3.putObjects(
		'nucleus-private',
		[0, 1, 2, 3].map((k) => png(`uploads/${k}.png`, 100 + k)),
	);
	// Every example, pointing at the demo datasets (3 re-ingests and 6 re-tags the remote one;
	// 4, 07 and 08 get their own; 00, which creates its dataset, was imported when it ran).
	const values: Record<string, string> = {
		[EXAMPLES.remoteAsync]: datasets.remote,
		[EXAMPLES.localFiles]: datasets.local,
		[EXAMPLES.reingest]: datasets.remote,
		[EXAMPLES.badInput]: emu.createDataset('demo: mixed input'),
		[EXAMPLES.trigger]: datasets.remote,
		[EXAMPLES.retag]: datasets.remote,
		[EXAMPLES.bucketRemote]: emu.createDataset('demo: bucket (remote)'),
		[EXAMPLES.bucketLocal]: emu.createDataset('demo: bucket (local)'),
	};
	for (const [file, datasetId] of Object.entries(values)) {
		const folder =
			file === EXAMPLES.localFiles ? path.join(n8n.filesDir, 'local-filesystem') : undefined;
		await n8n.importWorkflow(await exampleWorkflow(n8n, file, { datasetId, folder }));
	}
	// The trigger example is active: it reports jobs of the remote dataset that finish from now on.
	const trigger = await exampleWorkflow(n8n, EXAMPLES.trigger, { datasetId: datasets.remote });
	await n8n.publishWorkflow(trigger.id);

	const port = args.port ?? ((await portIsFree(5678)) ? 5678 : await freePort());
	say(`Starting n8n's editor on port ${port} ...`);
	await n8n.start({ port });
	const login = await n8n.setupOwner(DEMO_OWNER);
	say();
	say(`n8n is running: http://localhost:${port}`);
	say(`  login:     ${login.email}`);
	say(`  password:  ${login.password}`);
	say(
		`  workflows: the nine examples (00-08) are in the Overview; 00, 1 and 2 have run once (Executions tab).`,
	);
	say(`  The credential "Scale Nucleus (emulator)" points at ${emu.baseUrl}.`);
	// The emulator's key is a fixed test value, not a secret: a hand-made credential needs it.
	say(`  For a credential of your own: API Key ${emu.apiKey}, Base URL ${emu.baseUrl}`);
	say(`  Files for example 2 live in ${path.join(n8n.filesDir, 'local-filesystem')}.`);
	say(
		`  Examples 07 and 08 read the local S3 server at ${s3.endpoint} (credential "S3 (local s3rver)").`,
	);
	say('Press Ctrl-C to stop n8n and the emulator.');
	// Keep running until Ctrl-C (the SIGINT handler cleans up).
	await new Promise(() => undefined);
}

void main();
