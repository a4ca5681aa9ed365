/**
 * A small Nucleus look-alike on loopback (node:http) that answers whatever a test scripts: wrong
 * bodies with a 2xx status, HTML pages, truncated JSON, hanging requests. It records the raw path of
 * every request, as the server saw it on the wire (no decoding, no dot-segment removal), so tests can
 * assert what was sent. The emulator stays the model of the real API; this server is for the answers
 * the real API is not supposed to give.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createTestCredentials } from '../harness';

export const API_PREFIX = '/v1/nucleus';

/** A distinctive key, so the harness's secret scan can tell if it leaks. */
export const FAKE_API_KEY = 'fake-routes-key-7Q2vX9';

export interface FakeRequest {
	method: string;
	/** The raw request path after /v1/nucleus/, with its query, exactly as it arrived. */
	path: string;
	body: string;
	authorization: string | undefined;
}

export interface FakeAnswer {
	status?: number;
	/** Content-Type (default application/json when the body is an object, text/html otherwise). */
	type?: string;
	/** An object is sent as JSON; a string as is. */
	body?: unknown;
	/** Never answer (the request stays open until the server closes). */
	hang?: boolean;
}

export type FakeHandler = (req: FakeRequest) => FakeAnswer | Promise<FakeAnswer>;

export interface FakeNucleus {
	baseUrl: string;
	origin: string;
	requests: FakeRequest[];
	/** `METHOD path` of every request, in arrival order. */
	lines(): string[];
	credentials: ReturnType<typeof createTestCredentials>;
	close(): Promise<void>;
}

export const html = (text = 'Sign in to continue'): FakeAnswer => ({
	status: 200,
	type: 'text/html; charset=utf-8',
	body: `<!DOCTYPE html><html><head><title>Portal</title></head><body>${text}</body></html>`,
});

export const jsonAnswer = (body: unknown, status = 200): FakeAnswer => ({
	status,
	type: 'application/json',
	body: JSON.stringify(body),
});

/** A JSON body cut off after `chars` characters (the Content-Type still says JSON). */
export const truncated = (body: unknown, chars = 20): FakeAnswer => ({
	status: 200,
	type: 'application/json',
	body: JSON.stringify(body).slice(0, chars),
});

export async function startFakeNucleus(handler: FakeHandler): Promise<FakeNucleus> {
	const requests: FakeRequest[] = [];
	const hanging = new Set<ServerResponse>();
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = req.url ?? '/';
			const path = raw.startsWith(`${API_PREFIX}/`) ? raw.slice(API_PREFIX.length + 1) : raw;
			const entry: FakeRequest = {
				method: req.method ?? 'GET',
				path,
				body: Buffer.concat(chunks).toString('utf8'),
				authorization: req.headers.authorization,
			};
			requests.push(entry);
			void Promise.resolve(handler(entry)).then(
				(answer) => {
					if (answer.hang) {
						hanging.add(res);
						return;
					}
					const body =
						typeof answer.body === 'string' || answer.body === undefined
							? (answer.body ?? '')
							: JSON.stringify(answer.body);
					const type =
						answer.type ?? (typeof answer.body === 'string' ? 'text/html' : 'application/json');
					res.writeHead(answer.status ?? 200, {
						'content-type': type,
						'content-length': Buffer.byteLength(body),
					});
					res.end(body);
				},
				(error: Error) => {
					res.writeHead(500, { 'content-type': 'text/plain' });
					res.end(`fake handler failed: ${error.message}`);
				},
			);
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	const origin = `http://127.0.0.1:${port}`;
	const baseUrl = `${origin}${API_PREFIX}`;
	return {
		baseUrl,
		origin,
		requests,
		lines: () => requests.map((r) => `${r.method} ${r.path}`),
		credentials: createTestCredentials(baseUrl, FAKE_API_KEY),
		async close() {
			for (const res of hanging) res.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
