/**
 * The bare transport loops (benchmark variants c and d), each run in its own process like n8n: every
 * file of a folder sent over one keep-alive undici Agent, `concurrency` requests in flight, a
 * Content-Length on every request, files streamed from disk, no retries (failures are counted).
 *
 *   batched    the node's wire form (send/localBatches.ts): `POST dataset/{id}/append?async=1`,
 *              multipart with one `items` part (JSON array of up to 10 DatasetItems, each with
 *              `update`) and one `image` part per file, same order, filename = the item's image_url
 *              (= the file name, as the node does for local items). One AsyncJob per request.
 *   per-image  the pre-2026 form an n8n user builds by hand: `POST dataset/{id}/append` (no async),
 *              one `item` JSON part + one `image` part. The emulator answers it with a job too.
 *
 * Then both poll every job they were given (`GET job/{id}`, up to `concurrency` at once, every
 * 100 ms) until each is final, so the loop ends only when every image is stored or its job failed.
 * The bench takes its figures from the emulator (run.ts); this output is a cross-check.
 *
 *   BENCH_API_KEY=... tsx test/bench/raw-loop.ts <baseUrl> <datasetId> <folder> <concurrency> <batched|per-image>
 * Prints one JSON line: { mode, started, sent, finished, requests, ok, failed, statuses, jobs,
 * job_statuses, jobs_not_final, poll_rounds, poll_failures, cpu_ms_to_sent, pid }.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

import FormData from 'form-data';
import { Agent, request } from 'undici';

/** As the node: at most 10 images per request (send/localBatches.ts MAX_IMAGES_PER_REQUEST). */
const IMAGES_PER_REQUEST = 10;
const POLL_INTERVAL_MS = 100;
/** Polling gives up after this long (a job that never ends is then reported as not final). */
const POLL_DEADLINE_MS = 10 * 60_000;
const FINAL = new Set([
	'Completed',
	'Cancelled',
	'Errored',
	'Errored_Server',
	'Errored_User',
	'Errored_Partial',
	'Errored_Hanging',
]);

type Mode = 'batched' | 'per-image';

function imagePart(form: FormData, folder: string, file: string, size: number): void {
	form.append('image', createReadStream(path.join(folder, file)), {
		filename: file,
		contentType: 'image/png',
		knownLength: size,
	});
}

async function main(): Promise<void> {
	const [baseUrl, datasetId, folder, concurrencyArg, modeArg = 'per-image'] = process.argv.slice(2);
	const mode = modeArg as Mode;
	if (mode !== 'batched' && mode !== 'per-image') throw new Error(`unknown mode ${modeArg}`);
	const apiKey = process.env.BENCH_API_KEY ?? '';
	const concurrency = Number(concurrencyArg);
	const agent = new Agent({ connections: concurrency, keepAliveTimeout: 10_000 });
	const auth = `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`;
	const dataset = encodeURIComponent(datasetId);
	const url =
		mode === 'batched'
			? `${baseUrl}/dataset/${dataset}/append?async=1`
			: `${baseUrl}/dataset/${dataset}/append`;

	// The window starts before the folder is listed: the node also looks at every file first.
	const started = Date.now();
	const cpuAtStart = process.cpuUsage();
	const files = readdirSync(folder)
		.filter((f) => !f.startsWith('.'))
		.sort();
	const sizes = files.map((f) => statSync(path.join(folder, f)).size);
	const per = mode === 'batched' ? IMAGES_PER_REQUEST : 1;
	const batches: number[][] = [];
	for (let i = 0; i < files.length; i += per) {
		batches.push(Array.from({ length: Math.min(per, files.length - i) }, (_, k) => i + k));
	}

	const form = (batch: number[]): FormData => {
		const f = new FormData();
		if (mode === 'batched') {
			const items = batch.map((i) => ({
				reference_id: files[i],
				image_url: files[i],
				update: false,
			}));
			f.append('items', JSON.stringify(items), { contentType: 'application/json' });
		} else {
			f.append('item', JSON.stringify({ reference_id: files[batch[0]], update: false }), {
				contentType: 'application/json',
			});
		}
		for (const i of batch) imagePart(f, folder, files[i], sizes[i]);
		return f;
	};

	let next = 0;
	let ok = 0;
	let failed = 0;
	const statuses: Record<string, number> = {};
	const jobIds: string[] = [];
	const lane = async (): Promise<void> => {
		while (next < batches.length) {
			const body = form(batches[next++]);
			const headers = {
				...body.getHeaders(),
				'content-length': String(body.getLengthSync()),
				authorization: auth,
			};
			try {
				const res = await request(url, {
					method: 'POST',
					headers,
					body: body as unknown as Readable,
					dispatcher: agent,
				});
				const text = await res.body.text();
				statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
				const job = res.statusCode === 200 ? (JSON.parse(text) as { job_id?: unknown }) : {};
				if (typeof job.job_id === 'string') {
					ok++;
					jobIds.push(job.job_id);
				} else failed++;
			} catch {
				failed++;
				statuses.error = (statuses.error ?? 0) + 1;
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, lane));
	const sent = Date.now();
	const cpu = process.cpuUsage(cpuAtStart);

	// Every job to a final status: the images are stored (or the job says why not).
	const jobStatuses: Record<string, number> = {};
	let pending = jobIds;
	let pollRounds = 0;
	let pollFailures = 0;
	const deadline = Date.now() + POLL_DEADLINE_MS;
	while (pending.length && Date.now() < deadline) {
		pollRounds++;
		const still: string[] = [];
		let k = 0;
		const poller = async (): Promise<void> => {
			while (k < pending.length) {
				const id = pending[k++];
				try {
					const res = await request(`${baseUrl}/job/${encodeURIComponent(id)}`, {
						headers: { authorization: auth },
						dispatcher: agent,
					});
					const text = await res.body.text();
					const status =
						res.statusCode === 200 ? (JSON.parse(text) as { status?: string }).status : undefined;
					if (status && FINAL.has(status)) jobStatuses[status] = (jobStatuses[status] ?? 0) + 1;
					else {
						if (!status) pollFailures++;
						still.push(id);
					}
				} catch {
					pollFailures++;
					still.push(id);
				}
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, pending.length) }, poller));
		pending = still;
		if (pending.length) await sleep(POLL_INTERVAL_MS);
	}
	const finished = Date.now();
	await agent.close();
	process.stdout.write(
		JSON.stringify({
			mode,
			started,
			sent,
			finished,
			requests: batches.length,
			ok,
			failed,
			statuses,
			jobs: jobIds.length,
			job_statuses: jobStatuses,
			jobs_not_final: pending.length,
			poll_rounds: pollRounds,
			poll_failures: pollFailures,
			cpu_ms_to_sent: (cpu.user + cpu.system) / 1000,
			pid: process.pid,
		}) + '\n',
	);
}

main().catch((e: unknown) => {
	process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
	process.exit(1);
});
