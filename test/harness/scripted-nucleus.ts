/**
 * A scripted Nucleus on loopback for the behaviours the emulator does not model because the real
 * API is not supposed to show them (test/emulator stays a spec of the real API): a listing that pages
 * forever, two requests answered with one job ID, a job status about another job, creation times as
 * numbers, a create applied after the client gave up, a 2xx body of the wrong shape.
 *
 * A test gives one function that answers every request; it sees the request as the server got it
 * and may answer with JSON, raw text, or misbehave (drop the connection after reading the body, or
 * never answer). Every request is logged, so tests count what the node sent.
 *
 *   const srv = await startScripted((req) =>
 *     req.line === 'GET dataset/details' ? { json: [] } : { status: 404, json: { error: 'no' } },
 *   );
 *   await runNode({ node, parameters, credentials: srv.credentials });
 *   srv.lines(); // ['GET dataset/details']
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createTestCredentials, type TestCredentials } from './credentials';

const PREFIX = '/v1/nucleus/';

export interface ScriptedRequest {
	method: string;
	/** The path under /v1/nucleus/ (or the whole path for other URLs), query left out. */
	route: string;
	/** `METHOD route`, e.g. `POST jobs/`. */
	line: string;
	query: URLSearchParams;
	body: Buffer;
	contentType: string;
	/** The body parsed as JSON, or undefined when it is not JSON. */
	json: unknown;
}

export type ScriptedReply =
	| {
			status?: number;
			/** Sent as JSON (application/json). */
			json?: unknown;
			/** Sent as is, with `type` (default text/html). */
			text?: string;
			type?: string;
			headers?: Record<string, string>;
	  }
	/** The request was read (and acted on); the connection is cut before any answer. */
	| 'drop'
	/** Never answered (until the server closes). */
	| 'hang';

export type ScriptedHandler = (req: ScriptedRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface ScriptedNucleus {
	baseUrl: string;
	origin: string;
	/** A distinctive key, so the harness's secret scan can tell if it leaks. */
	apiKey: string;
	credentials: TestCredentials;
	log: ScriptedRequest[];
	lines(): string[];
	/** How many requests matched `line` (exact `METHOD route` or a pattern over it). */
	count(line: string | RegExp): number;
	close(): Promise<void>;
}

function parseJson(body: Buffer): unknown {
	try {
		return JSON.parse(body.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

async function readRequest(req: IncomingMessage): Promise<ScriptedRequest> {
	const parts: Buffer[] = [];
	for await (const part of req) parts.push(part as Buffer);
	const body = Buffer.concat(parts);
	const url = new URL(req.url ?? '/', 'http://scripted');
	const route = url.pathname.startsWith(PREFIX) ? url.pathname.slice(PREFIX.length) : url.pathname;
	const method = req.method ?? 'GET';
	return {
		method,
		route,
		line: `${method} ${route}`,
		query: url.searchParams,
		body,
		contentType: String(req.headers['content-type'] ?? ''),
		json: parseJson(body),
	};
}

function send(res: ServerResponse, reply: Exclude<ScriptedReply, 'drop' | 'hang'>): void {
	const isJson = reply.text === undefined;
	const payload = isJson
		? reply.json === undefined
			? ''
			: JSON.stringify(reply.json)
		: reply.text;
	res.writeHead(reply.status ?? 200, {
		'content-type': isJson ? 'application/json' : (reply.type ?? 'text/html'),
		'content-length': String(Buffer.byteLength(payload ?? '')),
		...reply.headers,
	});
	res.end(payload);
}

export async function startScripted(handler: ScriptedHandler): Promise<ScriptedNucleus> {
	const log: ScriptedRequest[] = [];
	const open = new Set<ServerResponse>();
	const server = createServer((req, res) => {
		void (async () => {
			const request = await readRequest(req);
			log.push(request);
			let reply: ScriptedReply;
			try {
				reply = await handler(request);
			} catch (error) {
				reply = { status: 500, text: `scripted handler failed: ${(error as Error).message}` };
			}
			if (reply === 'drop') req.socket.destroy();
			else if (reply === 'hang') open.add(res);
			else send(res, reply);
		})();
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	const baseUrl = `${origin}/v1/nucleus`;
	const apiKey = 'scripted-key-Zq81nV4';
	const matches = (pattern: string | RegExp, line: string) =>
		typeof pattern === 'string' ? line === pattern : pattern.test(line);
	return {
		baseUrl,
		origin,
		apiKey,
		credentials: createTestCredentials(baseUrl, apiKey),
		log,
		lines: () => log.map((r) => r.line),
		count: (pattern) => log.filter((r) => matches(pattern, r.line)).length,
		async close() {
			for (const res of open) res.destroy();
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

/** An AsyncJob as `POST jobs/` and the append answer carry it (nucleus-api.md 5.1). */
export function jobInfo(
	jobId: string,
	extra: { status?: string; type?: string; created?: unknown; datasetId?: string } = {},
): Record<string, unknown> {
	return {
		job_id: jobId,
		job_last_known_status: extra.status ?? 'Queued',
		job_type: extra.type ?? 'uploadDatasetItems',
		job_creation_time: extra.created ?? new Date().toISOString(),
		...(extra.datasetId ? { dataset_id: extra.datasetId } : {}),
	};
}

/** `GET job/{id}` of a finished job (nucleus-api.md 5.2). */
export function jobStatus(jobId: string, status = 'Completed', message: unknown = {}) {
	return {
		job_id: jobId,
		status,
		message,
		job_progress: '1.00',
		completed_steps: 1,
		total_steps: 1,
	};
}
