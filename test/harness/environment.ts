/**
 * Process-wide n8n-core setup for the harness: a private n8n user folder, the capturing
 * logger, and n8n's BinaryDataService in `filesystem` mode — set up once per process and
 * removed when the process exits.
 *
 * Also `withEnv()`: applies env vars for one run and rebuilds the DI config objects that
 * read them (n8n-core caches SecurityConfig / InstanceSettings in its DI container, so
 * changing `process.env` alone would not be seen).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryDataConfig, BinaryDataService, ErrorReporter, InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

import { CapturingLogger } from './logger';
import {
	Container,
	InstanceSettingsConfig,
	LoggerClass,
	SecurityConfig,
	forgetInstance,
} from './n8n-internals';

interface HarnessEnvironment {
	/** Temp root removed at exit; N8N_USER_FOLDER points here. */
	root: string;
	/** `<root>/.n8n` — n8n's own folder (settings file, storage). */
	n8nFolder: string;
	/** Where BinaryDataService stores binaries (filesystem mode). */
	binaryDataDir: string;
	logger: CapturingLogger;
}

/** Fixed so settings files written under different user folders agree. */
const HARNESS_ENCRYPTION_KEY = 'n8n-nodes-scale-nucleus-test-harness-key';

let environment: HarnessEnvironment | undefined;
let initialising: Promise<HarnessEnvironment> | undefined;

function createEnvironment(): Omit<HarnessEnvironment, 'binaryDataDir'> {
	const root = mkdtempSync(join(tmpdir(), 'n8n-harness-'));
	process.on('exit', () => {
		rmSync(root, { recursive: true, force: true });
	});

	process.env.N8N_USER_FOLDER = root;
	process.env.N8N_ENCRYPTION_KEY ??= HARNESS_ENCRYPTION_KEY;
	// Binary data as a regular (non-queue) n8n 2.x instance keeps it: on disk.
	process.env.N8N_DEFAULT_BINARY_DATA_MODE = 'filesystem';

	const logger = new CapturingLogger();
	Container.set(LoggerClass, logger as never);
	LoggerProxy.init(logger);

	// Build the config objects from the env just set (in case anything read them earlier).
	forgetInstance(InstanceSettingsConfig);
	forgetInstance(InstanceSettings);
	forgetInstance(SecurityConfig);

	const n8nFolder = Container.get(InstanceSettings).n8nFolder;
	return { root, n8nFolder, logger };
}

/** Sets up n8n-core once per process; every harness entry point awaits this first. */
export async function ensureEnvironment(): Promise<HarnessEnvironment> {
	if (environment) return environment;
	initialising ??= (async () => {
		const base = createEnvironment();
		// Sentry is never initialised here, so ErrorReporter only logs through our logger.
		Container.get(ErrorReporter);
		const config = Container.get(BinaryDataConfig);
		if (config.mode !== 'filesystem') {
			throw new Error(`harness: binary data mode is "${config.mode}", expected "filesystem"`);
		}
		const service = Container.get(BinaryDataService);
		await service.init();
		environment = { ...base, binaryDataDir: config.localStoragePath };
		return environment;
	})();
	return await initialising;
}

/** The environment, once `ensureEnvironment()` has resolved. */
export function currentEnvironment(): HarnessEnvironment {
	if (!environment) {
		throw new Error('harness: environment not initialised yet (await a harness call first)');
	}
	return environment;
}

/** Env vars that n8n-core reads through DI config classes constructed once and cached. */
const CONFIG_BACKED_ENV = new Set([
	'N8N_RESTRICT_FILE_ACCESS_TO',
	'N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES',
	'N8N_BLOCK_FILE_PATTERNS',
	'N8N_USER_FOLDER',
	'N8N_ENCRYPTION_KEY',
]);

function rebuildConfigs(touched: string[]): void {
	if (!touched.some((name) => CONFIG_BACKED_ENV.has(name))) return;
	forgetInstance(SecurityConfig);
	if (touched.includes('N8N_USER_FOLDER') || touched.includes('N8N_ENCRYPTION_KEY')) {
		forgetInstance(InstanceSettingsConfig);
		forgetInstance(InstanceSettings);
	}
}

let envQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` with `env` applied to `process.env` (and n8n's cached config rebuilt from it),
 * then restores the previous values. Runs that pass `env` are serialised so two of them never
 * see each other's variables; runs without `env` are not held back.
 */
export async function withEnv<T>(
	env: Record<string, string | undefined> | undefined,
	fn: () => Promise<T>,
): Promise<T> {
	if (!env || Object.keys(env).length === 0) return await fn();

	const run = async () => {
		const names = Object.keys(env);
		const previous = new Map(names.map((name) => [name, process.env[name]]));
		for (const name of names) {
			const value = env[name];
			if (value === undefined) delete process.env[name];
			else process.env[name] = value;
		}
		rebuildConfigs(names);
		try {
			return await fn();
		} finally {
			for (const [name, value] of previous) {
				if (value === undefined) delete process.env[name];
				else process.env[name] = value;
			}
			rebuildConfigs(names);
		}
	};

	const result = envQueue.then(run, run);
	envQueue = result.catch(() => undefined);
	return await result;
}
