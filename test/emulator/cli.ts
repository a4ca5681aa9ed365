/**
 * Start the emulator as a process:
 *   npx tsx test/emulator/cli.ts --port N [--host H] [--api-key K] [--profile fast|realistic] [--job-speed X]
 *        [--dataset NAME]... [--verbose] [--rate-429 R] [--rate-5xx R] [--rate-drop R] [--rate-slow R]
 *        [--slow-ms MS] [--retry-after S] [--seed N] [--sync-append job|removed|legacy]
 *        [--partial-status Errored_Partial|Errored] [--hold-new-jobs]
 *        [--s3-endpoint http://127.0.0.1:PORT]
 * Prints one JSON line {"baseUrl","origin","apiKey","port","profile","syncAppend","partialFailureStatus",
 * "datasets":{name:id}} on stdout,
 * then runs until SIGTERM/SIGINT. Request log (with --verbose) goes to stderr.
 */
import {
	PARTIAL_FAILURE_STATUSES,
	SYNC_APPEND_MODES,
	startEmulator,
	type Faults,
	type PartialFailureStatus,
	type SyncAppendMode,
} from './index';

const USAGE =
	'usage: cli.ts --port N [--host H] [--api-key K] [--profile fast|realistic] [--job-speed X] [--dataset NAME]... [--verbose] [--rate-429 R] [--rate-5xx R] [--rate-drop R] [--rate-slow R] [--slow-ms MS] [--retry-after S] [--seed N] [--sync-append job|removed|legacy] [--partial-status Errored_Partial|Errored] [--hold-new-jobs] [--s3-endpoint URL]';

function usage(msg: string): never {
	process.stderr.write(`${msg}\n${USAGE}\n`);
	process.exit(2);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	let port = 0;
	let host: string | undefined;
	let apiKey: string | undefined;
	let profile: 'fast' | 'realistic' = 'fast';
	let jobSpeed: number | undefined;
	let verbose = false;
	let syncAppend: SyncAppendMode | undefined;
	let partialFailureStatus: PartialFailureStatus | undefined;
	let holdNewJobs = false;
	let s3Endpoint: string | undefined;
	const datasets: string[] = [];
	const faults: Partial<Faults> = {};
	const num = (v: string | undefined, name: string): number => {
		const n = Number(v);
		if (v === undefined || !Number.isFinite(n)) usage(`${name} needs a number`);
		return n;
	};
	for (let i = 0; i < args.length; i++) {
		const a = args[i];
		const [flag, inline] = a.includes('=')
			? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
			: [a, undefined];
		const val = (): string | undefined => (inline !== undefined ? inline : args[++i]);
		switch (flag) {
			case '--port':
				port = num(val(), '--port');
				break;
			case '--host':
				host = val();
				break;
			case '--api-key':
				apiKey = val();
				break;
			case '--profile': {
				const p = val();
				if (p !== 'fast' && p !== 'realistic') usage('--profile must be fast or realistic');
				profile = p;
				break;
			}
			case '--job-speed':
				jobSpeed = num(val(), '--job-speed');
				break;
			case '--dataset': {
				const d = val();
				if (!d) usage('--dataset needs a name');
				datasets.push(d);
				break;
			}
			case '--verbose':
				verbose = true;
				break;
			case '--quiet':
				verbose = false;
				break;
			case '--rate-429':
				faults.rate429 = num(val(), flag);
				break;
			case '--rate-5xx':
				faults.rate5xx = num(val(), flag);
				break;
			case '--rate-drop':
				faults.rateDrop = num(val(), flag);
				break;
			case '--rate-slow':
				faults.rateSlow = num(val(), flag);
				break;
			case '--slow-ms':
				faults.slowMs = num(val(), flag);
				break;
			case '--retry-after':
				faults.retryAfterS = num(val(), flag);
				break;
			case '--seed':
				faults.seed = num(val(), flag);
				break;
			case '--sync-append': {
				const v = val();
				if (!(SYNC_APPEND_MODES as readonly (string | undefined)[]).includes(v)) {
					usage(`--sync-append must be one of ${SYNC_APPEND_MODES.join(', ')}`);
				}
				syncAppend = v as SyncAppendMode;
				break;
			}
			case '--partial-status': {
				const v = val();
				if (!(PARTIAL_FAILURE_STATUSES as readonly (string | undefined)[]).includes(v)) {
					usage(`--partial-status must be one of ${PARTIAL_FAILURE_STATUSES.join(', ')}`);
				}
				partialFailureStatus = v as PartialFailureStatus;
				break;
			}
			case '--hold-new-jobs':
				holdNewJobs = true;
				break;
			case '--s3-endpoint':
				s3Endpoint = val();
				if (!s3Endpoint) usage('--s3-endpoint needs a URL');
				break;
			case '--help':
			case '-h':
				usage('Nucleus emulator');
				break;
			default:
				usage(`unknown argument ${a}`);
		}
	}
	const emu = await startEmulator({
		port,
		host,
		apiKey,
		profile,
		jobSpeed,
		faults,
		quiet: !verbose,
		syncAppend,
		partialFailureStatus,
		holdNewJobs,
		s3Endpoint,
	});
	const ids: Record<string, string> = {};
	for (const name of datasets) ids[name] = emu.createDataset(name);
	process.stdout.write(
		JSON.stringify({
			baseUrl: emu.baseUrl,
			origin: emu.origin,
			apiKey: emu.apiKey,
			port: emu.port,
			profile,
			syncAppend: emu.config().syncAppend,
			partialFailureStatus: emu.config().partialFailureStatus,
			datasets: ids,
		}) + '\n',
	);
	let stopping = false;
	const stop = (): void => {
		if (stopping) return;
		stopping = true;
		emu.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
}

main().catch((e: Error) => {
	process.stderr.write(`nucleus emulator failed to start: ${e.message}\n`);
	process.exit(1);
});
