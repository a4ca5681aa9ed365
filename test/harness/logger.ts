/**
 * A logger implementing n8n's `Logger` interface that records every line it is given.
 *
 * It is installed as the DI `Logger` of n8n-core (what `this.logger` returns inside node
 * contexts) and as n8n-workflow's `LoggerProxy` target, so everything n8n or a node logs
 * during a harness run lands in `capturedLogs` (tests scan it for leaked secrets).
 */
import type { Logger, LogMetadata } from 'n8n-workflow';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CapturedLogEntry {
	level: LogLevel;
	message: string;
	metadata?: LogMetadata;
	/** `level message metadata-as-JSON` — the text a log file would contain. */
	line: string;
}

/** Every logged line, as text (`level message {metadata}`), oldest first. */
export const capturedLogs: string[] = [];

/** The same lines with their level and raw metadata. */
export const capturedLogEntries: CapturedLogEntry[] = [];

/** Empties `capturedLogs` and `capturedLogEntries`. */
export function clearCapturedLogs(): void {
	capturedLogs.length = 0;
	capturedLogEntries.length = 0;
}

function serialise(value: unknown): string {
	const seen = new WeakSet<object>();
	try {
		return JSON.stringify(value, (_key, v: unknown) => {
			if (v instanceof Error) {
				// Errors have non-enumerable fields; a real log transport prints them too.
				const plain: Record<string, unknown> = { name: v.name, message: v.message, stack: v.stack };
				for (const k of Object.keys(v)) plain[k] = (v as unknown as Record<string, unknown>)[k];
				if ('cause' in v) plain.cause = (v as { cause?: unknown }).cause;
				return plain;
			}
			if (typeof v === 'bigint') return v.toString();
			if (typeof v === 'object' && v !== null) {
				if (seen.has(v)) return '[Circular]';
				seen.add(v);
			}
			return v;
		});
	} catch {
		return String(value);
	}
}

export class CapturingLogger implements Logger {
	constructor(private readonly scopes: string[] = []) {}

	private record(level: LogLevel, message: string, metadata?: LogMetadata) {
		const meta = metadata && Object.keys(metadata).length > 0 ? ` ${serialise(metadata)}` : '';
		const scope = this.scopes.length ? `[${this.scopes.join(',')}] ` : '';
		const line = `${level} ${scope}${String(message)}${meta}`;
		capturedLogs.push(line);
		capturedLogEntries.push({ level, message: String(message), metadata, line });
		if (process.env.HARNESS_PRINT_LOGS === 'true') process.stderr.write(`${line}\n`);
	}

	error(message: string, metadata?: LogMetadata): void {
		this.record('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata): void {
		this.record('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata): void {
		this.record('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata): void {
		this.record('debug', message, metadata);
	}

	/** `@n8n/backend-common`'s Logger API: a child logger tagged with scopes. */
	scoped(scopes: string | string[]): CapturingLogger {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}
}
