/**
 * Scripted socket servers for transport tests: an HTTP server whose handler answers each request
 * as the test scripts it ("503 then 200", "drop the socket once", "never answer"), recording what
 * arrived; and a CONNECT proxy that tunnels to the target and records each tunnel.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface Recorded {
	/** 1 for the first request the server received. */
	n: number;
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
	/** performance.now() when the request arrived. */
	at: number;
	socket: Socket;
}

export type Handler = (
	req: IncomingMessage,
	res: ServerResponse,
	rec: Recorded,
) => void | Promise<void>;

export interface ScriptedServer {
	url: string;
	port: number;
	requests: Recorded[];
	/** Connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
	connections: number;
	close(): Promise<void>;
}

/** Reads the whole body before calling the handler unless `streamBody` (the handler reads it itself). */
export async function startScriptedServer(
	handler: Handler,
	opts: { streamBody?: boolean } = {},
): Promise<ScriptedServer> {
	const requests: Recorded[] = [];
	let connections = 0;
	const server = http.createServer(async (req, res) => {
		const at = performance.now();
		const rec: Recorded = {
			n: requests.length + 1,
			method: req.method ?? '',
			url: req.url ?? '',
			headers: req.headers,
			body: Buffer.alloc(0),
			at,
			socket: req.socket,
		};
		requests.push(rec);
		try {
			if (!opts.streamBody) {
				const chunks: Buffer[] = [];
				for await (const chunk of req) chunks.push(chunk as Buffer);
				rec.body = Buffer.concat(chunks);
			}
			await handler(req, res, rec);
		} catch (error) {
			// The client went away mid-body (cancel, broken body stream): nothing to answer.
			if (!res.headersSent && !req.socket.destroyed) {
				res.statusCode = 500;
				res.end(String(error));
			}
		}
	});
	server.on('connection', () => {
		connections++;
	});
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const port = (server.address() as AddressInfo).port;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		requests,
		get connections() {
			return connections;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}

export function sendJson(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
): void {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

/** A port nothing listens on (a server is opened on it and closed again). */
export async function freePort(): Promise<number> {
	const server = net.createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const { port } = server.address() as AddressInfo;
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

export interface ConnectProxy {
	url: string;
	/** One entry per CONNECT: the target `host:port` and the headers the proxy saw. */
	tunnels: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
	close(): Promise<void>;
}

/** An HTTP proxy that only tunnels (CONNECT); a plain proxied request gets 501. */
export async function startConnectProxy(): Promise<ConnectProxy> {
	const tunnels: ConnectProxy['tunnels'] = [];
	const proxy = http.createServer((_req, res) => {
		res.writeHead(501);
		res.end();
	});
	const sockets = new Set<Socket>();
	proxy.on('connection', (s: Socket) => sockets.add(s));
	proxy.on('connect', (req: IncomingMessage, clientSocket: Socket, head: Buffer) => {
		tunnels.push({ url: req.url ?? '', headers: req.headers });
		const [host, port] = (req.url ?? '').split(':');
		const upstream = net.connect(Number(port), host, () => {
			clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length) upstream.write(head);
			upstream.pipe(clientSocket);
			clientSocket.pipe(upstream);
		});
		sockets.add(upstream);
		upstream.on('error', () => clientSocket.destroy());
		clientSocket.on('error', () => upstream.destroy());
	});
	proxy.listen(0, '127.0.0.1');
	await once(proxy, 'listening');
	return {
		url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
		tunnels,
		async close() {
			for (const s of sockets) s.destroy();
			await new Promise<void>((resolve) => proxy.close(() => resolve()));
		},
	};
}
