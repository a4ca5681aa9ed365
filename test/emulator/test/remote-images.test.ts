/**
 * The emulator reads the images it is told to ingest when it is given an S3 endpoint (a real
 * s3rver in its own process): `s3://` objects from the S3 server, `http(s)://` from loopback
 * hosts. A missing, empty or non-image object fails that item in the job, quoting its URL, as
 * Nucleus does (the SDK's test `test_dataset_append_async_with_1_bad_url`). Without the endpoint nothing is read, as before.
 * test/integration/append-remote-bucket.test.ts runs the node against it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '..';
import { tinyPng } from '../../harness/images';
import { startS3Server, type S3Server } from '../../harness/s3';

const BUCKET = 'nucleus-images';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const basic = (key: string): string => 'Basic ' + Buffer.from(`${key}:`).toString('base64');

let s3: S3Server;
let emu: Emulator;
/** A loopback web server: /ok.png is an image, anything else 404; it counts its requests. */
let web: http.Server;
let webOrigin: string;
let webRequests = 0;
const webImage = tinyPng(0xabcdef);

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	emu = await startEmulator({ s3Endpoint: s3.endpoint });
	web = http.createServer((req, res) => {
		webRequests++;
		if (req.url === '/ok.png') {
			res.writeHead(200, { 'content-type': 'image/png' });
			res.end(webImage);
		} else {
			res.writeHead(404);
			res.end('not found');
		}
	});
	await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
	webOrigin = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});

after(async () => {
	await emu?.close();
	await s3?.close();
	await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()));
});

/** Appends items the way the node's remote mode does (presigned NDJSON, append?async=1). */
async function appendRemote(target: Emulator, ds: string, items: unknown[]): Promise<string> {
	const requestId = randomBytes(16).toString('hex');
	const auth = { authorization: basic(target.apiKey) };
	const su = await fetch(`${target.baseUrl}/dataset/${ds}/signedUrl/${requestId}`, {
		headers: auth,
	});
	assert.equal(su.status, 200);
	const { signed_url } = (await su.json()) as { signed_url: string };
	const body = items.map((i) => JSON.stringify(i)).join('\n') + '\n';
	const put = await fetch(signed_url, { method: 'PUT', body });
	assert.equal(put.status, 200, await put.text());
	const res = await fetch(`${target.baseUrl}/dataset/${ds}/append?async=1`, {
		method: 'POST',
		headers: { ...auth, 'content-type': 'application/json' },
		body: JSON.stringify({ requestId, update: false }),
	});
	assert.equal(res.status, 200);
	return ((await res.json()) as { job_id: string }).job_id;
}

async function jobErrors(target: Emulator, jobId: string): Promise<string[]> {
	const res = await fetch(`${target.baseUrl}/job/${jobId}/errors`, {
		headers: { authorization: basic(target.apiKey) },
	});
	assert.equal(res.status, 200);
	return (await res.json()) as string[];
}

describe('emulator with an S3 endpoint: jobs read the images', () => {
	test('missing, empty and non-image objects fail their items, quoting the URL; images are stored with their hash', async () => {
		const ds = emu.createDataset('remote-read');
		const good = tinyPng(1);
		await s3.putObject(BUCKET, 'in/sunny/good.png', good, 'image/png');
		await s3.putObject(BUCKET, 'in/sunny/empty.png', Buffer.alloc(0), 'image/png');
		await s3.putObject(BUCKET, 'in/sunny/notes.png', Buffer.from('just some text'), 'image/png');
		const url = {
			good: `s3://${BUCKET}/in/sunny/good.png`,
			missing: `s3://${BUCKET}/in/sunny/missing.png`,
			empty: `s3://${BUCKET}/in/sunny/empty.png`,
			text: `s3://${BUCKET}/in/sunny/notes.png`,
			web: `${webOrigin}/ok.png`,
			webMissing: `${webOrigin}/gone.png`,
			// Not on the S3 endpoint or a loopback host: not read, accepted as without the option.
			elsewhere: 'https://images.example.com/a.jpg',
			gs: 'gs://other-bucket/b.jpg',
		};
		const items = Object.entries(url).map(([ref, image_url]) => ({
			reference_id: ref,
			image_url,
			metadata: { folder: 'sunny' },
		}));
		const jobId = await appendRemote(emu, ds, items);
		const job = await emu.waitForJob(jobId);
		assert.equal(job?.status, 'Errored_Partial');

		const errors = await jobErrors(emu, jobId);
		assert.deepEqual(
			errors.sort(),
			[
				`Failure when processing the image "${url.empty}": empty image`,
				`Failure when processing the image "${url.missing}": could not fetch image (HTTP 404)`,
				`Failure when processing the image "${url.text}": not a supported image (unrecognised format)`,
				`Failure when processing the image "${url.webMissing}": could not fetch image (HTTP 404)`,
			].sort(),
		);
		assert.deepEqual(
			emu
				.listItems(ds)
				.map((i) => i.reference_id)
				.sort(),
			['elsewhere', 'good', 'gs', 'web'],
		);
		assert.deepEqual(emu.getItem(ds, 'good')?.fetchedImage, {
			bytes: good.length,
			sha256: sha(good),
			contentType: 'image/png',
		});
		assert.equal(emu.getItem(ds, 'web')?.fetchedImage?.sha256, sha(webImage));
		assert.equal(emu.getItem(ds, 'elsewhere')?.fetchedImage, undefined);
	});

	test('objects are read while the job runs, not when the append is accepted', async () => {
		const ds = emu.createDataset('remote-read-async');
		await s3.putObject(BUCKET, 'later/deleted.png', tinyPng(2), 'image/png');
		emu.setHoldNewJobs(true);
		let jobId: string;
		try {
			jobId = await appendRemote(emu, ds, [
				{ reference_id: 'deleted', image_url: `s3://${BUCKET}/later/deleted.png` },
				{ reference_id: 'added', image_url: `s3://${BUCKET}/later/added.png` },
			]);
		} finally {
			emu.setHoldNewJobs(false);
		}
		// Between the accepted append and the job's run the bucket changes.
		await s3.deleteObject(BUCKET, 'later/deleted.png');
		await s3.putObject(BUCKET, 'later/added.png', tinyPng(3), 'image/png');
		emu.startJob(jobId);
		const job = await emu.waitForJob(jobId);
		assert.equal(job?.status, 'Errored_Partial');
		assert.deepEqual(await jobErrors(emu, jobId), [
			`Failure when processing the image "s3://${BUCKET}/later/deleted.png": could not fetch image (HTTP 404)`,
		]);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['added'],
		);
	});

	test('a privacy-mode dataset keeps its images on the customer side: nothing is read', async () => {
		const ds = emu.createDataset('remote-privacy', { usePrivacyMode: true });
		const before = webRequests;
		const jobId = await appendRemote(emu, ds, [
			{ reference_id: 'p1', image_url: `${webOrigin}/gone.png`, width: 10, height: 10 },
			{ reference_id: 'p2', image_url: `s3://${BUCKET}/nowhere.png`, width: 10, height: 10 },
		]);
		assert.equal((await emu.waitForJob(jobId))?.status, 'Completed');
		assert.equal(webRequests, before);
		assert.equal(emu.itemCount(ds), 2);
	});
});

describe('emulator without an S3 endpoint', () => {
	test('reads no image URL: a missing object and a loopback 404 are accepted, as before', async () => {
		const plain = await startEmulator();
		try {
			const ds = plain.createDataset('no-read');
			const before = webRequests;
			const jobId = await appendRemote(plain, ds, [
				{ reference_id: 'a', image_url: `s3://${BUCKET}/does/not/exist.png` },
				{ reference_id: 'b', image_url: `${webOrigin}/gone.png` },
			]);
			assert.equal((await plain.waitForJob(jobId))?.status, 'Completed');
			assert.equal(webRequests, before, 'no request reached the web server');
			assert.equal(plain.itemCount(ds), 2);
			assert.equal(plain.getItem(ds, 'a')?.fetchedImage, undefined);
		} finally {
			await plain.close();
		}
	});
});
