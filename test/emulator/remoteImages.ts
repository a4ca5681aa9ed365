/**
 * Reading remote images while a job runs, where the emulator can (EmulatorOptions.s3Endpoint).
 *
 * Public fact (the Python SDK scaleapi/nucleus-python-client, `NucleusClient.create_dataset`): for normal datasets Nucleus fetches each image URL server-side, and an
 * image it cannot fetch fails that item in the job, not the request (the SDK's test
 * `test_dataset_append_async_with_1_bad_url`); the job's error quotes the URL (the same test; `AsyncJob.errors`).
 * Privacy-mode datasets keep the images on the customer's side (`use_privacy_mode`): nothing is fetched.
 *
 * Without `s3Endpoint` the emulator reads no URL (the rules of rules.ts, rule 6, apply alone).
 * With it:
 *   s3://bucket/key          GET <s3Endpoint>/<bucket>/<key> (path style, unsigned: the bucket
 *                            must be readable by the reader, as Nucleus needs Scale to be granted
 *                            access to a private bucket)
 *   http(s)://<loopback>/…   GET the URL itself (127.0.0.0/8, localhost, ::1)
 *   any other URL            not read (accepted as without the option)
 * A read fails the item with (ASSUMPTION: the real reasons are not public; PR #67's test shows `{}`):
 *   no answer / not 2xx     `could not fetch image (HTTP 404)`, `… (ECONNREFUSED)`, `… (timed out)`
 *   0 bytes                 `empty image` (the text of the local-upload rule)
 *   not an image            `not a supported image (unrecognised format)`: the first bytes are
 *                           none of JPEG, PNG, GIF, WebP, BMP or TIFF (ASSUMPTION: the formats
 *                           Nucleus accepts are not public).
 */
import { createHash } from 'node:crypto';

/** What a successful read stored about the image (no bytes are kept). */
export interface FetchedImageInfo {
	bytes: number;
	sha256: string;
	contentType: string;
}

export type FetchResult = { ok: true; image: FetchedImageInfo } | { ok: false; reason: string };

/** One read gives up after this long (ASSUMPTION: Nucleus's own fetch timeout is not public). */
export const REMOTE_FETCH_TIMEOUT_MS = 30_000;
/** Reads in flight per job batch. */
export const REMOTE_FETCH_CONCURRENCY = 16;

const MAGIC: ReadonlyArray<{ type: string; test: (b: Buffer) => boolean }> = [
	{
		type: 'image/jpeg',
		test: (b) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
	},
	{
		type: 'image/png',
		test: (b) =>
			b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
	},
	{ type: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
	{
		type: 'image/webp',
		test: (b) =>
			b.subarray(0, 4).toString('latin1') === 'RIFF' &&
			b.subarray(8, 12).toString('latin1') === 'WEBP',
	},
	{ type: 'image/bmp', test: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
	{
		type: 'image/tiff',
		test: (b) => {
			const h = b.subarray(0, 4).toString('latin1');
			return h === 'II*\u0000' || h === 'MM\u0000*';
		},
	},
];

/** The image type the bytes start with, or undefined when they are not a known image format. */
export function sniffImageType(bytes: Buffer): string | undefined {
	return MAGIC.find((m) => m.test(bytes))?.type;
}

function isLoopbackHost(hostname: string): boolean {
	const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
	return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export class RemoteImageReader {
	private readonly s3Endpoint: string;

	constructor(s3Endpoint: string) {
		const u = new URL(s3Endpoint);
		if (u.protocol !== 'http:' && u.protocol !== 'https:')
			throw new Error('s3Endpoint must be an http(s) URL');
		this.s3Endpoint = s3Endpoint.replace(/\/+$/, '');
	}

	/** The URL to GET for an image URL, or undefined when the emulator does not read it. */
	locate(imageUrl: unknown): string | undefined {
		if (typeof imageUrl !== 'string') return undefined;
		let u: URL;
		try {
			u = new URL(imageUrl);
		} catch {
			return undefined;
		}
		if (u.protocol === 's3:') {
			// s3://bucket/key: the host is the bucket, the path the key (kept as written, already
			// percent-encoded where the URL needed it).
			if (u.hostname === '' || u.pathname.length <= 1) return undefined;
			return `${this.s3Endpoint}/${u.hostname}${u.pathname}`;
		}
		if ((u.protocol === 'http:' || u.protocol === 'https:') && isLoopbackHost(u.hostname))
			return u.href;
		return undefined;
	}

	async read(location: string, signal: AbortSignal): Promise<FetchResult> {
		let res: Response;
		const timeout = AbortSignal.timeout(REMOTE_FETCH_TIMEOUT_MS);
		try {
			res = await fetch(location, {
				signal: AbortSignal.any([signal, timeout]),
				redirect: 'follow',
			});
		} catch (e) {
			if (timeout.aborted) return { ok: false, reason: 'could not fetch image (timed out)' };
			const cause = (e as { cause?: { code?: string } }).cause;
			return { ok: false, reason: `could not fetch image (${cause?.code ?? 'no answer'})` };
		}
		if (!res.ok) {
			await res.arrayBuffer().catch(() => undefined);
			return { ok: false, reason: `could not fetch image (HTTP ${res.status})` };
		}
		let bytes: Buffer;
		try {
			bytes = Buffer.from(await res.arrayBuffer());
		} catch {
			return { ok: false, reason: 'could not fetch image (connection lost)' };
		}
		if (bytes.length === 0) return { ok: false, reason: 'empty image' };
		const type = sniffImageType(bytes);
		if (!type) return { ok: false, reason: 'not a supported image (unrecognised format)' };
		return {
			ok: true,
			image: {
				bytes: bytes.length,
				sha256: createHash('sha256').update(bytes).digest('hex'),
				contentType: type,
			},
		};
	}

	/** Reads the images of `urls` (undefined = not read), a few at a time; results by index. */
	async readAll(urls: unknown[], signal: AbortSignal): Promise<Map<number, FetchResult>> {
		const jobs: Array<{ index: number; location: string }> = [];
		urls.forEach((url, index) => {
			const location = this.locate(url);
			if (location) jobs.push({ index, location });
		});
		const results = new Map<number, FetchResult>();
		let next = 0;
		const worker = async (): Promise<void> => {
			while (next < jobs.length && !signal.aborted) {
				const { index, location } = jobs[next++];
				results.set(index, await this.read(location, signal));
			}
		};
		await Promise.all(Array.from({ length: REMOTE_FETCH_CONCURRENCY }, worker));
		return results;
	}
}
