/**
 * A real S3-compatible server for tests: s3rver (a dev dependency) in its own child process on
 * 127.0.0.1, on a free port, with its data in a temporary folder removed by `close()`.
 *
 * Why a child process with `--openssl-legacy-provider`: s3rver's ListObjectsV2 continuation
 * tokens are DES-encrypted, which OpenSSL 3 only offers through its legacy provider; without it
 * every listing of more than 1,000 keys (the second page) answers 500.
 *
 * What s3rver checks: the access key must be its built-in `S3RVER` (for signed requests); it does
 * not verify Signature V4 signatures, and it serves unsigned requests. The helpers below send
 * unsigned path-style requests; n8n's S3 node signs its own with the credential.
 *
 *   const s3 = await startS3Server();
 *   await s3.createBucket('nucleus-images');
 *   const { etag } = await s3.putObject('nucleus-images', 'incoming/sunny/0001.png', bytes);
 *   await s3.deleteObject('nucleus-images', 'incoming/sunny/0001.png');
 *   await s3.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** s3rver's built-in access key pair (it refuses any other key on a signed request). */
export const S3RVER_ACCESS_KEY = 'S3RVER';
export const S3RVER_SECRET_KEY = 'S3RVER';
export const S3_REGION = 'us-east-1';

const S3RVER_BIN = path.join(
	path.dirname(require.resolve('s3rver/package.json')),
	'bin',
	's3rver.js',
);

export interface S3Object {
	key: string;
	body: Buffer;
	contentType?: string;
}

export interface S3Server {
	/** http://127.0.0.1:PORT (path-style: <endpoint>/<bucket>/<key>). */
	endpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	/** Bucket names need at least 3 characters (S3's rule, which s3rver applies). */
	createBucket(bucket: string): Promise<void>;
	/** Stores one object; returns its ETag as S3 lists it (quoted MD5). */
	putObject(
		bucket: string,
		key: string,
		body: Buffer,
		contentType?: string,
	): Promise<{ etag: string }>;
	/** Stores many objects, a few requests at a time; returns the ETags in input order. */
	putObjects(bucket: string, objects: S3Object[]): Promise<string[]>;
	deleteObject(bucket: string, key: string): Promise<void>;
	/** The object's bytes, or undefined when it does not exist. */
	getObject(bucket: string, key: string): Promise<Buffer | undefined>;
	close(): Promise<void>;
}

function objectPath(bucket: string, key: string): string {
	return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

async function expectOk(res: Response, what: string): Promise<void> {
	if (res.ok) {
		await res.arrayBuffer();
		return;
	}
	const text = await res.text();
	throw new Error(`s3rver: ${what} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
}

/** Waits for s3rver's "S3rver listening on <address>:<port>" line; rejects if it exits first. */
function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
	return new Promise((resolve, reject) => {
		let output = '';
		const timer = setTimeout(
			() => fail(new Error(`s3rver did not start within ${timeoutMs / 1000} s:\n${output}`)),
			timeoutMs,
		);
		const onData = (chunk: Buffer): void => {
			output += chunk.toString();
			const m = /S3rver listening on [^\s]+:(\d+)/.exec(output);
			if (m) {
				cleanup();
				resolve(Number(m[1]));
			}
		};
		const onExit = (code: number | null): void =>
			fail(new Error(`s3rver exited (code ${String(code)}) before listening:\n${output}`));
		const cleanup = (): void => {
			clearTimeout(timer);
			child.stdout?.off('data', onData);
			child.stderr?.off('data', onData);
			child.off('exit', onExit);
		};
		const fail = (e: Error): void => {
			cleanup();
			reject(e);
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', onData);
		child.once('exit', onExit);
	});
}

export async function startS3Server(opts: { timeoutMs?: number } = {}): Promise<S3Server> {
	const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
	const child = spawn(
		process.execPath,
		[
			'--openssl-legacy-provider',
			S3RVER_BIN,
			'-d',
			directory,
			'-a',
			'127.0.0.1',
			'-p',
			'0',
			'--silent',
		],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	// The server must not outlive the test process when that one exits without close().
	const killOnExit = (): void => {
		child.kill('SIGKILL');
	};
	process.once('exit', killOnExit);
	const exited = new Promise<void>((resolve) =>
		child.once('exit', () => {
			process.off('exit', killOnExit);
			resolve();
		}),
	);
	let port: number;
	try {
		port = await listeningPort(child, opts.timeoutMs ?? 30_000);
	} catch (e) {
		child.kill('SIGKILL');
		await exited;
		await rm(directory, { recursive: true, force: true });
		throw e;
	}
	// --silent turns off its request log; drain whatever else it prints so the pipes never fill.
	child.stdout?.resume();
	child.stderr?.resume();
	const endpoint = `http://127.0.0.1:${port}`;

	const server: S3Server = {
		endpoint,
		accessKeyId: S3RVER_ACCESS_KEY,
		secretAccessKey: S3RVER_SECRET_KEY,
		region: S3_REGION,
		async createBucket(bucket) {
			const res = await fetch(`${endpoint}/${encodeURIComponent(bucket)}`, { method: 'PUT' });
			await expectOk(res, `create bucket ${bucket}`);
		},
		async putObject(bucket, key, body, contentType = 'application/octet-stream') {
			const res = await fetch(`${endpoint}${objectPath(bucket, key)}`, {
				method: 'PUT',
				headers: { 'content-type': contentType },
				body,
			});
			const etag = res.headers.get('etag') ?? '';
			await expectOk(res, `put ${bucket}/${key}`);
			return { etag };
		},
		async putObjects(bucket, objects) {
			const etags: string[] = new Array<string>(objects.length);
			let next = 0;
			const worker = async (): Promise<void> => {
				while (next < objects.length) {
					const i = next++;
					const o = objects[i];
					etags[i] = (await server.putObject(bucket, o.key, o.body, o.contentType)).etag;
				}
			};
			await Promise.all(Array.from({ length: 8 }, worker));
			return etags;
		},
		async deleteObject(bucket, key) {
			const res = await fetch(`${endpoint}${objectPath(bucket, key)}`, { method: 'DELETE' });
			await expectOk(res, `delete ${bucket}/${key}`);
		},
		async getObject(bucket, key) {
			const res = await fetch(`${endpoint}${objectPath(bucket, key)}`);
			if (res.status === 404) {
				await res.arrayBuffer();
				return undefined;
			}
			if (!res.ok) await expectOk(res, `get ${bucket}/${key}`);
			return Buffer.from(await res.arrayBuffer());
		},
		async close() {
			if (child.exitCode === null && child.signalCode === null) {
				child.kill('SIGTERM');
				const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
				await exited;
				clearTimeout(timer);
			}
			await rm(directory, { recursive: true, force: true, maxRetries: 3 });
		},
	};
	return server;
}
