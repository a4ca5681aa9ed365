/**
 * Handles on the n8n-core internals the harness wires together.
 *
 * n8n-core 2.41 ships its own nested copies of `@n8n/di`, `@n8n/config` and
 * `@n8n/backend-common` (node_modules/n8n-core/node_modules/@n8n/...). The DI container keeps
 * its registry in module scope, so the harness must load these packages from n8n-core's own
 * location — importing the top-level `@n8n/di` would give a second, unrelated container.
 */
import { createRequire } from 'node:module';

const requireFromCore = createRequire(require.resolve('n8n-core'));

type Ctor<T = unknown> = abstract new (...args: never[]) => T;

/** The subset of `@n8n/di`'s `Container` the harness uses. */
export interface DiContainer {
	get<T>(type: Ctor<T>): T;
	set<T>(type: Ctor<T>, instance: T): void;
	has(type: Ctor): boolean;
}

const di = requireFromCore('@n8n/di') as { Container: DiContainer };
const config = requireFromCore('@n8n/config') as Record<string, Ctor>;
const backendCommon = requireFromCore('@n8n/backend-common') as Record<string, Ctor>;

export const Container = di.Container;

/** `@n8n/backend-common` Logger class: `this.logger` of every node context is `Container.get(Logger)`. */
export const LoggerClass = backendCommon.Logger;
/** Holds N8N_RESTRICT_FILE_ACCESS_TO, N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES, N8N_BLOCK_FILE_PATTERNS. */
export const SecurityConfig = config.SecurityConfig;
/** Holds N8N_USER_FOLDER (-> n8nFolder) and N8N_ENCRYPTION_KEY. */
export const InstanceSettingsConfig = config.InstanceSettingsConfig;
/** Root config object; nests SecurityConfig and friends. */
export const GlobalConfig = config.GlobalConfig;

for (const [name, value] of Object.entries({
	LoggerClass,
	SecurityConfig,
	InstanceSettingsConfig,
	GlobalConfig,
})) {
	if (typeof value !== 'function') {
		throw new Error(`harness: n8n-core internal ${name} not found; n8n-core layout changed?`);
	}
}

/**
 * Drop the cached instance of a DI service so the next `Container.get` builds it again
 * (config classes read `process.env` only when they are constructed).
 */
export function forgetInstance(type: Ctor): void {
	Container.set(type, undefined as never);
}
