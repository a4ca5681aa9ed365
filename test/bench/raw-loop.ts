/**
 * The bare transport loop (benchmark variant c), run in its own process like n8n: every file of a
 * folder sent as one multipart append (`item` JSON + `image` streamed from disk, with Content-Length)
 * over one keep-alive undici Agent, `concurrency` requests in flight, no retries.
 *
 *   BENCH_API_KEY=... tsx test/bench/raw-loop.ts <baseUrl> <datasetId> <folder> <concurrency>
 * Prints one JSON line: { started, finished, ok, failed, statuses }.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

import FormData from 'form-data';
import { Agent, request } from 'undici';

async function main(): Promise<void> {
	const [baseUrl, datasetId, folder, concurrencyArg] = process.argv.slice(2);
	const apiKey = process.env.BENCH_API_KEY ?? '';
	const concurrency = Number(concurrencyArg);
	const files = readdirSync(folder)
		.filter((f) => !f.startsWith('.'))
		.sort();
	const sizes = files.map((f) => statSync(path.join(folder, f)).size);
	const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
	const auth = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
	const url = `${baseUrl}/dataset/${encodeURIComponent(datasetId)}/append`;
	let next = 0;
	let ok = 0;
	let failed = 0;
	const statuses: Record<string, number> = {};
	const started = Date.now();
	const lane = async (): Promise<void> => {
		while (next < files.length) {
			const i = next++;
			const form = new FormData();
			form.append('item', JSON.stringify({ reference_id: files[i], update: false }), {
				contentType: 'application/json',
			});
			form.append('image', createReadStream(path.join(folder, files[i])), {
				filename: files[i],
				contentType: 'image/png',
				knownLength: sizes[i],
			});
			const headers = {
				...form.getHeaders(),
				'content-length': String(form.getLengthSync()),
				authorization: auth,
			};
			try {
				const res = await request(url, {
					method: 'POST',
					headers,
					body: form as unknown as Readable,
					dispatcher: agent,
				});
				await res.body.text();
				statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
				if (res.statusCode === 200) ok++;
				else failed++;
			} catch {
				failed++;
				statuses.error = (statuses.error ?? 0) + 1;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, lane));
	const finished = Date.now();
	await agent.close();
	process.stdout.write(JSON.stringify({ started, finished, ok, failed, statuses }) + '\n');
}

main().catch((e: unknown) => {
	process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
	process.exit(1);
});
