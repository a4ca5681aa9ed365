/**
 * Presigned upload (storage.ts) and the async append job it feeds (jobs.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { startEmulator, IMAGE_BATCH_SIZE, type Emulator } from '..';
import { KEY, basic, call, ndjson, presignedUpload, waitFinal, assertAsyncJob } from './client';

describe('emulator: presigned upload and jobs', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator({ jobSpeed: 0.25 });
	});
	after(() => emu.close());

	test('signed URL PUT: Authorization header is a 400, chunked is a 501, unknown token or bad signature a 403', async () => {
		const ds = emu.createDataset('s3');
		const su = await call(emu, 'GET', `dataset/${ds}/signedUrl/${'a'.repeat(32)}`);
		const url: string = su.json.signed_url;
		assert.ok(url.startsWith(`${emu.origin}/__storage/`));
		assert.match(url, /X-Amz-Signature=/);
		const withAuth = await fetch(url, {
			method: 'PUT',
			body: '{}\n',
			headers: { authorization: basic(KEY) },
		});
		assert.equal(withAuth.status, 400);
		assert.match(await withAuth.text(), /Only one auth mechanism allowed/);
		const chunked = await fetch(url, {
			method: 'PUT',
			body: Readable.toWeb(Readable.from([Buffer.from('{}\n')])) as ReadableStream,
			duplex: 'half',
		} as RequestInit);
		assert.equal(chunked.status, 501);
		assert.match(await chunked.text(), /Transfer-Encoding/);
		const unknown = await fetch(
			`${emu.origin}/__storage/deadbeef/${'a'.repeat(32)}.ndjson?X-Amz-Signature=x`,
			{ method: 'PUT', body: '{}\n' },
		);
		assert.equal(unknown.status, 403);
		const badSig = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, 'X-Amz-Signature=00'), {
			method: 'PUT',
			body: '{}\n',
		});
		assert.equal(badSig.status, 403);
		assert.equal(emu.stats().storagePuts, 0);
	});

	test('expired signed URL is a 403', async () => {
		const short = await startEmulator({ signedUrlTtlMs: 30 });
		try {
			const ds = short.createDataset('exp');
			const su = await call(short, 'GET', `dataset/${ds}/signedUrl/${'b'.repeat(32)}`);
			await new Promise((r) => setTimeout(r, 60));
			const put = await fetch(su.json.signed_url, { method: 'PUT', body: '{}\n' });
			assert.equal(put.status, 403);
			assert.match(await put.text(), /expired/);
		} finally {
			await short.close();
		}
	});

	test('append?async=1: 400 for an unknown requestId and for one never uploaded', async () => {
		const ds = emu.createDataset('async-bad');
		const unknown = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: 'f'.repeat(32),
			update: false,
		});
		assert.equal(unknown.status, 400);
		assert.match(unknown.json.error, /Unknown requestId/);
		await call(emu, 'GET', `dataset/${ds}/signedUrl/${'c'.repeat(32)}`);
		const notUploaded = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: 'c'.repeat(32),
			update: false,
		});
		assert.equal(notUploaded.status, 400);
		assert.match(notUploaded.json.error, /Nothing was uploaded/);
	});

	test('async job: Queued -> Running with per-batch progress -> Errored_Partial; errors list the failed items', async () => {
		const ds = emu.createDataset('async');
		const n = 2 * IMAGE_BATCH_SIZE + 500;
		const items = Array.from({ length: n }, (_, i) => ({
			reference_id: `r${i}`,
			image_url:
				i % 100 === 7
					? `https://img${i}.example.invalid/${i}.jpg`
					: `https://img.example.com/${i}.jpg`,
			metadata: { i },
		}));
		emu.setHoldNewJobs(true);
		const requestId = await presignedUpload(emu, ds, ndjson(items));
		const acc = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId,
			update: false,
		});
		emu.setHoldNewJobs(false);
		assert.equal(acc.status, 200);
		assert.equal(acc.json.job_last_known_status, 'Queued');
		assert.equal(acc.json.job_type, 'uploadDatasetItems');
		assert.equal(acc.json.dataset_id, ds);
		assert.ok(!Number.isNaN(Date.parse(acc.json.job_creation_time)));
		const jobId: string = acc.json.job_id;
		assert.match(jobId, /^job_/);

		const queued = await call(emu, 'GET', `job/${jobId}`);
		assert.equal(queued.json.status, 'Queued');
		assert.equal(queued.json.job_progress, '0.00');
		assert.equal(emu.itemCount(ds), 0);
		emu.startJob(jobId);

		const observed: Array<{ status: string; steps: number; progress: string }> = [];
		let final: any;
		for (let i = 0; i < 2000; i++) {
			const r = await call(emu, 'GET', `job/${jobId}`);
			const last = observed[observed.length - 1];
			if (!last || last.status !== r.json.status || last.steps !== r.json.completed_steps) {
				observed.push({
					status: r.json.status,
					steps: r.json.completed_steps,
					progress: r.json.job_progress,
				});
			}
			if (!['Queued', 'Running'].includes(r.json.status)) {
				final = r.json;
				break;
			}
			await new Promise((res) => setTimeout(res, 15));
		}
		assert.ok(final, 'job finished');
		assert.equal(final.status, 'Errored_Partial');
		assert.equal(final.total_steps, 4); // ingest + 3 image batches
		assert.equal(final.completed_steps, 4);
		assert.equal(final.job_progress, '1.00');
		const failed = items.filter((_, i) => i % 100 === 7).length;
		assert.deepEqual(final.message.image_upload_step, {
			errored: failed,
			pending: 0,
			completed: n - failed,
		});
		assert.equal(final.message.ingest_to_reupload_queue.total, n);
		assert.equal(final.message.ingest_to_reupload_queue.processed, n);
		assert.equal(final.message.ingest_to_reupload_queue.datasetId, ds);
		assert.match(final.message.final_error, /did not process correctly/);
		// seen over HTTP: Running with intermediate progress
		const running = observed.filter((o) => o.status === 'Running');
		assert.ok(
			running.some((o) => o.steps > 0 && o.steps < 4),
			JSON.stringify(observed),
		);
		for (let i = 1; i < observed.length; i++) assert.ok(observed[i].steps >= observed[i - 1].steps);
		// recorded per batch
		const hist = emu
			.getJob(jobId)!
			.history.filter((h) => h.status === 'Running')
			.map((h) => h.completed + h.errored);
		assert.deepEqual([...new Set(hist)], [0, 3000, 6000, n]);

		const errors = await call(emu, 'GET', `job/${jobId}/errors`);
		assert.equal(errors.json.length, failed);
		assert.equal(
			errors.json[0],
			'Failure when processing the image "https://img7.example.invalid/7.jpg": could not fetch image (host not found)',
		);
		assert.equal(emu.itemCount(ds), n - failed);
		assert.equal(emu.getItem(ds, 'r7'), undefined);
		const info = await call(emu, 'GET', `job/${jobId}/info`);
		assert.deepEqual(info.json, {
			job_id: jobId,
			job_last_known_status: 'Errored_Partial',
			job_type: 'uploadDatasetItems',
			job_creation_time: acc.json.job_creation_time,
			dataset_id: ds,
		});
		assert.equal((await call(emu, 'GET', 'job/job_nope')).status, 404);
	});

	test('async job: all good -> Completed; re-upload with update=true updates; duplicates in one file fail the later copy', async () => {
		const ds = emu.createDataset('async2');
		const items = [
			{ reference_id: 'k1', image_url: 'https://a.example.com/1.jpg', metadata: { v: 1 } },
			{ reference_id: 'k2', image_url: 'https://a.example.com/2.jpg', metadata: { v: 1 } },
		];
		const j1 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, ndjson(items)),
			update: false,
		});
		const f1 = await waitFinal(emu, j1.json.job_id);
		assert.equal(f1.status, 'Completed');
		assert.equal(f1.job_progress, '1.00');
		assert.deepEqual(
			await call(emu, 'GET', `job/${j1.json.job_id}/errors`).then((r) => r.json),
			[],
		);

		const again = [
			{ reference_id: 'k1', image_url: 'https://a.example.com/1.jpg', metadata: { v: 2 } },
			{ reference_id: 'k1', image_url: 'https://a.example.com/1b.jpg', metadata: { v: 3 } },
		];
		const j2 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, ndjson(again)),
			update: true,
		});
		const f2 = await waitFinal(emu, j2.json.job_id);
		assert.equal(f2.status, 'Errored_Partial');
		assert.deepEqual(emu.getItem(ds, 'k1')?.metadata, { v: 2 });
		const errs = (await call(emu, 'GET', `job/${j2.json.job_id}/errors`)).json;
		assert.equal(errs.length, 1);
		assert.equal(
			errs[0],
			'Failure when processing the image "https://a.example.com/1b.jpg": duplicate reference_id in this upload',
		);
		assert.equal(emu.getJob(j2.json.job_id)?.updatedItems, 1);
	});

	test('async job: bad NDJSON ends Errored_User and applies nothing', async () => {
		const ds = emu.createDataset('async-badjson');
		const body =
			JSON.stringify({ reference_id: 'z1', image_url: 'https://a.example.com/1.jpg' }) +
			'\n{not json\n';
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, body),
			update: false,
		});
		const f = await waitFinal(emu, j.json.job_id);
		assert.equal(f.status, 'Errored_User');
		assert.match(f.message.final_error, /line 2/);
		assert.equal(emu.itemCount(ds), 0);
		// all items failing is Errored_User too
		const allBad = ndjson([{ reference_id: 'b1', image_url: 'ftp://x/1.jpg' }]);
		const j2 = await call(emu, 'POST', `dataset/${ds}/append?async=1`, {
			requestId: await presignedUpload(emu, ds, allBad),
			update: false,
		});
		assert.equal((await waitFinal(emu, j2.json.job_id)).status, 'Errored_User');
	});

	test('100,000 items stream through PUT and one job', async () => {
		const ds = emu.createDataset('100k');
		const requestId = 'e'.repeat(32);
		const su = await call(emu, 'GET', `dataset/${ds}/signedUrl/${requestId}`);
		const N = 100_000;
		const line = (i: number): string =>
			JSON.stringify({
				reference_id: `ref-${String(i).padStart(6, '0')}`,
				image_url: `https://img.example.com/${String(i).padStart(6, '0')}.jpg`,
				metadata: { i: String(i).padStart(6, '0') },
			}) + '\n';
		const length = Buffer.byteLength(line(0)) * N;
		async function* gen(): AsyncGenerator<Buffer> {
			let buf = '';
			for (let i = 0; i < N; i++) {
				buf += line(i);
				if (buf.length > 64 * 1024) {
					yield Buffer.from(buf);
					buf = '';
				}
			}
			if (buf) yield Buffer.from(buf);
		}
		const status = await new Promise<number>((resolve, reject) => {
			const req = http.request(su.json.signed_url, {
				method: 'PUT',
				headers: { 'content-length': String(length) },
			});
			req.on('response', (res) => {
				res.resume();
				resolve(res.statusCode ?? 0);
			});
			req.on('error', reject);
			Readable.from(gen()).pipe(req);
		});
		assert.equal(status, 200);
		emu.resetStats();
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
		assertAsyncJob(j, ds);
		assert.equal(emu.stats().appendRequestsByForm.presigned, 1);
		assert.equal(emu.stats().appendItemsReceived, N);
		const rec = await emu.finishJob(j.json.job_id);
		assert.equal(rec?.appendForm, 'presigned');
		assert.equal(rec?.status, 'Completed');
		assert.equal(rec?.total, N);
		assert.equal(emu.itemCount(ds), N);
		assert.deepEqual(emu.getItem(ds, 'ref-099999')?.metadata, { i: '099999' });
	});
});
