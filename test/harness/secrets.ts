/**
 * Secret scan for every harness run: the promise "no output item, error message, error
 * description or log line contains the API key or the Base64 of `key:`" is checked centrally.
 *
 * `runNode`, `runPoll` and `testCredential` call `scanRun()` after each run (and on a thrown
 * error, before re-throwing it). The scan walks the whole value graph it is given — output items
 * (json, error objects, pairedItem, binary metadata), hints, the thrown error with every
 * enumerable field plus message, description, cause, context and stack, nested causes included
 * — and the log lines captured since the last scan. A hit fails the run with a
 * `SecretLeakError` naming where the secret was found (never the secret itself).
 *
 * Secrets of a run: every credential field whose name looks like a secret (apiKey, password,
 * token, secret) and is at least 4 characters long, plus the Base64 of `value:` (the Basic-auth
 * header, with and without padding), plus the secrets a test added with `addScanSecrets` (e.g. the
 * password of an image URL's `user:password@`, or a presigned URL's token). Secrets seen once stay
 * registered: later log lines are checked against them too, and a check at process exit catches
 * lines logged after the last run.
 */
import type { IDataObject } from 'n8n-workflow';

import { capturedLogs } from './logger';

export class SecretLeakError extends Error {
	constructor(
		readonly where: string,
		readonly variant: string,
	) {
		super(`Secret leak: the ${variant} appears in ${where}`);
		this.name = 'SecretLeakError';
	}
}

interface Secret {
	value: string;
	/** What it is, for the failure message (never the value). */
	variant: string;
}

const registry = new Map<string, Secret>();
/** Secrets that are not credential fields, checked in every later scan. */
const extraSecrets: Secret[] = [];
let logPosition = 0;

const counters = {
	runs: 0,
	errorsScanned: 0,
	valuesScanned: 0,
	logLinesScanned: 0,
	leaks: 0,
	/** Scans that stopped at MAX_VALUES_PER_SCAN (a runtime object graph, not output data). */
	truncatedScans: 0,
};

/** Enough for 100,000 output items several times over; stops runaway walks through sockets. */
const MAX_VALUES_PER_SCAN = 20_000_000;

/** How many runs were scanned, and how much was looked at (tests assert the scan really ran). */
export function secretScanStats(): Readonly<typeof counters> & { secretsRegistered: number } {
	return { ...counters, secretsRegistered: registry.size };
}

const SECRET_FIELD = /key|secret|token|password/i;
const MIN_SECRET_LENGTH = 4;

/** The secrets of a credential set: the raw value and the Base64 of `value:` (Basic auth). */
export function secretsOf(credentials: Record<string, IDataObject> | undefined): Secret[] {
	const out: Secret[] = [];
	for (const data of Object.values(credentials ?? {})) {
		for (const [field, value] of Object.entries(data ?? {})) {
			if (!SECRET_FIELD.test(field) || typeof value !== 'string') continue;
			const raw = value.trim();
			if (raw.length < MIN_SECRET_LENGTH) continue;
			const b64 = Buffer.from(`${raw}:`, 'utf8').toString('base64');
			out.push({ value: raw, variant: `credential field "${field}" of the test credential` });
			out.push({
				value: b64,
				variant: `Base64 of "${field}:" (Basic auth) of the test credential`,
			});
			const unpadded = b64.replace(/=+$/, '');
			if (unpadded !== b64)
				out.push({
					value: unpadded,
					variant: `unpadded Base64 of "${field}:" of the test credential`,
				});
		}
	}
	return out;
}

/**
 * Adds secrets that do not come from the credential (a URL's `user:password@`, a presigned token):
 * every later run's outputs, errors and log lines are checked for them too, and so are the log
 * lines captured so far. `variant` names it in a failure (never the value).
 */
export function addScanSecrets(secrets: Array<{ value: string; variant: string }>): void {
	for (const s of secrets) {
		if (s.value.length < MIN_SECRET_LENGTH) {
			throw new Error(`A scan secret must be at least ${MIN_SECRET_LENGTH} characters long`);
		}
		if (!extraSecrets.some((e) => e.value === s.value)) extraSecrets.push({ ...s });
	}
}

function findIn(text: string, secrets: Iterable<Secret>): Secret | undefined {
	for (const s of secrets) if (text.includes(s.value)) return s;
	return undefined;
}

function keyLabel(key: string): string {
	return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * Walks `root` (objects, arrays, errors with their non-enumerable fields, Map and Set contents)
 * and returns the path of the first string that holds a secret.
 */
function scanValue(
	root: unknown,
	rootName: string,
	secrets: Secret[],
): SecretLeakError | undefined {
	if (secrets.length === 0) return undefined;
	const seen = new WeakSet<object>();
	const stack: Array<{ value: unknown; path: string; depth: number }> = [
		{ value: root, path: rootName, depth: 0 },
	];
	let budget = MAX_VALUES_PER_SCAN;
	while (stack.length) {
		if (--budget < 0) {
			counters.truncatedScans++;
			break;
		}
		const { value, path, depth } = stack.pop()!;
		counters.valuesScanned++;
		if (typeof value === 'string') {
			const hit = findIn(value, secrets);
			if (hit) return new SecretLeakError(path, hit.variant);
			continue;
		}
		if (typeof value !== 'object' || value === null) continue;
		if (seen.has(value) || depth > 40) continue;
		seen.add(value);
		if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) continue;
		if (value instanceof Map) {
			let i = 0;
			for (const [k, v] of value) {
				stack.push({ value: k, path: `${path}<key ${i}>`, depth: depth + 1 });
				stack.push({ value: v, path: `${path}<value ${i}>`, depth: depth + 1 });
				i++;
			}
			continue;
		}
		if (value instanceof Set) {
			let i = 0;
			for (const v of value) stack.push({ value: v, path: `${path}<${i++}>`, depth: depth + 1 });
			continue;
		}
		// What a serialiser (JSON.stringify, n8n's flatted execution store, a log transport) would
		// show: enumerable own string keys, plus an error's message, stack, description, cause and
		// context, which are often non-enumerable. Symbol-keyed runtime internals (e.g. a Node.js
		// ClientRequest's header table) are not serialised by anyone and are skipped.
		for (const key of Object.keys(value)) {
			let child: unknown;
			try {
				child = (value as Record<string, unknown>)[key];
			} catch {
				continue;
			}
			if (typeof child === 'function') continue;
			stack.push({ value: child, path: `${path}${keyLabel(key)}`, depth: depth + 1 });
		}
		if (value instanceof Error) {
			const e = value as Error & { description?: unknown; cause?: unknown; context?: unknown };
			for (const [name, v] of [
				['message', e.message],
				['stack', e.stack],
				['description', e.description],
				['cause', e.cause],
				['context', e.context],
			] as const) {
				if (v !== undefined) stack.push({ value: v, path: `${path}.${name}`, depth: depth + 1 });
			}
		}
	}
	return undefined;
}

/** Registers `secrets`; a secret new to the registry is checked against every log line so far. */
function register(secrets: Secret[]): SecretLeakError | undefined {
	let leak: SecretLeakError | undefined;
	for (const s of secrets) {
		if (registry.has(s.value)) continue;
		registry.set(s.value, s);
		const limit = Math.min(logPosition, capturedLogs.length);
		for (let i = 0; i < limit && !leak; i++) {
			if (capturedLogs[i].includes(s.value))
				leak = new SecretLeakError(
					`log line ${i}: ${preview(capturedLogs[i], s.value)}`,
					s.variant,
				);
		}
	}
	return leak;
}

function preview(line: string, secret: string): string {
	return JSON.stringify(line.split(secret).join('<SECRET>').slice(0, 200));
}

/** Checks the log lines captured since the last scan against every registered secret. */
function scanNewLogLines(): SecretLeakError | undefined {
	if (logPosition > capturedLogs.length) logPosition = 0; // logs were cleared
	const secrets = [...registry.values()];
	for (; logPosition < capturedLogs.length; logPosition++) {
		counters.logLinesScanned++;
		const line = capturedLogs[logPosition];
		const hit = findIn(line, secrets);
		if (hit) {
			const where = `log line ${logPosition}: ${preview(line, hit.value)}`;
			logPosition++;
			return new SecretLeakError(where, hit.variant);
		}
	}
	return undefined;
}

/**
 * Scans one finished run: what it returned (or the error it threw) and the new log lines.
 * Returns the leak found, if any; the caller fails the run with it.
 */
export function scanRun(
	credentials: Record<string, IDataObject> | undefined,
	result: { output?: unknown; hints?: unknown; error?: unknown },
): SecretLeakError | undefined {
	counters.runs++;
	const secrets = [...secretsOf(credentials), ...extraSecrets];
	const leak =
		register(secrets) ??
		(result.output !== undefined ? scanValue(result.output, 'the output', secrets) : undefined) ??
		(result.hints !== undefined
			? scanValue(result.hints, 'the execution hints', secrets)
			: undefined) ??
		(result.error !== undefined
			? (counters.errorsScanned++, scanValue(result.error, 'the thrown error', secrets))
			: undefined) ??
		scanNewLogLines();
	if (leak) counters.leaks++;
	return leak;
}

/** Scans an arbitrary value (e.g. a credential-test result) with the given credentials' secrets. */
export function scanValueForSecrets(
	value: unknown,
	name: string,
	credentials: Record<string, IDataObject> | undefined,
): SecretLeakError | undefined {
	return scanValue(value, name, [...secretsOf(credentials), ...extraSecrets]);
}

// Lines logged after the last run of a test file (late timers, closing sockets) are still checked.
process.on('exit', () => {
	const leak = scanNewLogLines();
	if (leak) {
		process.stderr.write(`harness: ${leak.message}\n`);
		process.exitCode = 1;
	}
});
