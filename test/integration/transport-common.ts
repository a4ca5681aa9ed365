/**
 * What the transport's socket tests share: a key that the secret scans look for in every encoding,
 * a client on a scripted server with short back-offs, and helpers to catch a rejection, capture the
 * logger and search everything an error carries.
 */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';

import type { INode, Logger } from 'n8n-workflow';

import { NucleusClient } from '../../nodes/shared/transport';

// Obviously not a Scale key (live_/test_ + 32 hex), yet long and distinctive enough for the scans below.
export const API_KEY = 'fake-key_transport-tests+not/a-scale-key';
export const KEY_B64 = Buffer.from(`${API_KEY}:`).toString('base64');
const SECRETS = [
	API_KEY,
	KEY_B64,
	KEY_B64.replace(/=+$/, ''),
	Buffer.from(API_KEY).toString('base64'),
];

export const node: INode = {
	id: 'node-1',
	name: 'Scale Nucleus',
	type: 'n8n-nodes-scale-nucleus.scaleNucleus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
	credentials: { scaleNucleusApi: { id: 'cred-1', name: 'Nucleus account' } },
};

export function makeClient(
	baseUrl: string,
	options: ConstructorParameters<typeof NucleusClient>[2] = {},
): NucleusClient {
	return new NucleusClient(
		node,
		{ apiKey: API_KEY, baseUrl },
		{ retryBaseMs: 5, retryMaxDelayMs: 20, ...options },
	);
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	assert.fail('expected the promise to reject');
}

/** Everything reachable from the error (own properties incl. hidden ones, cause, context, errorResponse, stack). */
export function everythingIn(value: unknown): string {
	let json = '';
	try {
		json = JSON.stringify(value);
	} catch {
		json = '';
	}
	return `${inspect(value, { depth: 12, showHidden: true, getters: true })}\n${json}\n${(value as Error)?.stack ?? ''}`;
}

export function assertNoSecrets(text: string, extra: string[] = []): void {
	for (const secret of [...SECRETS, ...extra]) {
		assert.ok(
			!text.includes(secret),
			`found a secret (${secret.slice(0, 6)}…) in: ${text.slice(0, 200)}`,
		);
	}
}

export interface LogLine {
	level: string;
	message: string;
	meta: unknown;
}

export function captureLogger(): { logger: Logger; lines: LogLine[] } {
	const lines: LogLine[] = [];
	const make = (level: string) => (message: string, meta?: unknown) => {
		lines.push({ level, message, meta });
	};
	const logger = {
		error: make('error'),
		warn: make('warn'),
		info: make('info'),
		debug: make('debug'),
	} as unknown as Logger;
	return { logger, lines };
}

export const waitFor = async (
	check: () => boolean,
	what: string,
	limitMs = 3000,
): Promise<void> => {
	const start = performance.now();
	while (!check()) {
		if (performance.now() - start > limitMs) assert.fail(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
};
