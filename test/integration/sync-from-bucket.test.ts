/**
 * Dataset Item → Sync from Bucket in a real n8n-core context, against s3rver (a real S3-compatible
 * server) for the listing and the emulator for Nucleus, which reads the `s3://` images from the
 * same s3rver as Nucleus reads a bucket it has been granted. 20,000 objects in 4 folders.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleusBucketApi } from '../../credentials/ScaleNucleusBucketApi.credentials';
import { startEmulator, type Emulator } from '../emulator';
import { tinyPng } from '../harness/images';
import { startS3Server, type S3Server } from '../harness/s3';
import { generatedBucket, startListingStandIn } from '../harness/s3-listing';
import { rl, runScale } from './scale-nucleus';

const BUCKET = 'sync-images';
const FOLDERS = ['cloudy', 'foggy', 'rainy', 'sunny'];
const PER_FOLDER = 5_000;

let s3: S3Server;
let emu: Emulator;

const key = (folder: string, i: number) => `incoming/${folder}/${String(i).padStart(5, '0')}.png`;

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	emu = await startEmulator({ s3Endpoint: s3.endpoint });
});
after(async () => {
	await emu?.close();
	await s3?.close();
});

function bucketCredentials(endpoint: string) {
	return {
		region: 'us-east-1',
		accessKeyId: s3.accessKeyId,
		secretAccessKey: s3.secretAccessKey,
		endpoint,
		forcePathStyle: true,
	};
}

function syncParams(datasetId: string, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'datasetItem',
		operation: 'syncFromBucket',
		datasetId: rl(datasetId),
		bucket: BUCKET,
		prefix: 'incoming/',
		folderFields: ', weather',
		...extra,
		options: { pollInterval: 0.1, objectsPerJob: 5_000, ...((extra.options as IDataObject) ?? {}) },
	};
}

async function sync(
	datasetId: string,
	extra: INodeParameters = {},
	more: { endpoint?: string; abortSignal?: AbortSignal } = {},
) {
	const { output } = await runScale(emu, syncParams(datasetId, extra), [{ json: {} }], {
		credentials: {
			scaleNucleusApi: { apiKey: emu.apiKey, baseUrl: emu.baseUrl },
			scaleNucleusBucketApi: bucketCredentials(more.endpoint ?? s3.endpoint),
		},
		credentialTypes: [new ScaleNucleusBucketApi()],
		abortSignal: more.abortSignal,
	});
	const items = output[0];
	const of = (type: string) => items.filter((i) => i.json.type === type);
	return {
		items,
		jobs: of('job'),
		summary: of('summary')[0]?.json as IDataObject,
		errors: items.filter((i) => typeof i.json.error === 'string'),
	};
}

const received = () => emu.stats().appendItemsReceived;
const details = (i: INodeExecutionData) => i.json.details as IDataObject;

describe('Sync from Bucket, 20,000 objects in s3rver', () => {
	test('first run sends all, second none; then exactly the new, changed and failed objects; failures offered again; nothing twice', async (t) => {
		const objects = FOLDERS.flatMap((folder, f) =>
			Array.from({ length: PER_FOLDER }, (_, i) => ({
				key: key(folder, i),
				body: tinyPng(f * PER_FOLDER + i),
				contentType: 'image/png',
			})),
		);
		const outside = [{ key: 'archive/old.png', body: tinyPng(999_999) }];
		const t0 = Date.now();
		await s3.putObjects(BUCKET, [...objects, ...outside]);
		t.diagnostic(`put ${objects.length} objects in s3rver: ${Date.now() - t0} ms`);
		const ds = emu.createDataset('sync-20k');

		// Run 1: everything, in 4 jobs of 5,000.
		let r0 = received();
		let t1 = Date.now();
		const first = await sync(ds);
		t.diagnostic(`first run: ${Date.now() - t1} ms`);
		assert.equal(first.jobs.length, 4);
		for (const j of first.jobs) {
			assert.equal(j.json.status, 'Completed');
			assert.equal(j.json.objects, 5_000);
			assert.equal(j.json.failed_objects, 0);
			assert.deepEqual(j.pairedItem, { item: 0 });
		}
		assert.equal(first.errors.length, 0);
		assert.equal(first.summary.objects_listed, 20_000);
		assert.equal(first.summary.new_objects, 20_000);
		assert.equal(received() - r0, 20_000);
		assert.equal(emu.itemCount(ds), 20_000);
		const stored = emu.getItem(ds, key('rainy', 42))!;
		assert.equal(stored.image_url, `s3://${BUCKET}/${key('rainy', 42)}`);
		assert.deepEqual(
			{ ...stored.metadata, last_modified: 'x', etag: 'x' },
			{
				weather: 'rainy',
				key: key('rainy', 42),
				size: tinyPng(1).length,
				last_modified: 'x',
				etag: 'x',
			},
		);

		// Run 2: nothing changed, nothing sent.
		r0 = received();
		t1 = Date.now();
		const second = await sync(ds);
		t.diagnostic(`second run (nothing new): ${Date.now() - t1} ms`);
		assert.equal(second.jobs.length, 0);
		assert.equal(second.items.length, 1);
		assert.equal(second.summary.changed, false);
		assert.equal(second.summary.already_in_dataset, 20_000);
		assert.equal(received() - r0, 0);

		// 50 new objects, 3 changed, 3 stored ones deleted, 3 new ones deleted after listing
		// (before Nucleus reads them), 2 new ones that are not images.
		const added = Array.from({ length: 50 }, (_, i) => ({
			key: key('sunny', 10_000 + i),
			body: tinyPng(500_000 + i),
		}));
		const vanishing = [0, 1, 2].map((i) => ({
			key: key('foggy', 20_000 + i),
			body: tinyPng(600_000 + i),
		}));
		const broken = [0, 1].map((i) => ({
			key: key('cloudy', 30_000 + i),
			body: Buffer.from('not an image'),
		}));
		const changed = [7, 8, 9].map((i) => ({ key: key('rainy', i), body: tinyPng(700_000 + i) }));
		const etags = await s3.putObjects(BUCKET, [...added, ...vanishing, ...broken, ...changed]);
		for (const i of [100, 101, 102]) await s3.deleteObject(BUCKET, key('cloudy', i));

		emu.setHoldNewJobs(true);
		r0 = received();
		const jobsBefore = new Set(emu.listJobs().map((j) => j.job_id));
		const running = sync(ds, { updateChanged: true, options: { objectsPerJob: 5_000 } });
		let held: string | undefined;
		for (let i = 0; i < 600 && !held; i++) {
			held = emu.listJobs().find((j) => !jobsBefore.has(j.job_id))?.job_id;
			if (!held) await new Promise((r) => setTimeout(r, 50));
		}
		assert.ok(held, 'the third run created a job');
		for (const v of vanishing) await s3.deleteObject(BUCKET, v.key);
		emu.setHoldNewJobs(false);
		emu.startJob(held);
		const third = await running;
		assert.equal(third.jobs.length, 1);
		assert.equal(third.summary.new_objects, 55);
		assert.equal(third.summary.changed_objects, 3);
		assert.equal(third.summary.gone_from_bucket, 3);
		assert.equal(third.summary.failed_objects, 5);
		assert.equal(received() - r0, 58, 'exactly the 55 new and 3 changed objects are sent');
		const failedKeys = third.errors.map((e) => details(e).key).sort();
		assert.deepEqual(failedKeys, [...vanishing, ...broken].map((o) => o.key).sort());
		for (const e of third.errors) {
			assert.equal(details(e).job_id, held);
			assert.equal(details(e).reference_id, details(e).key);
			assert.match(
				String(e.json.error),
				/^Object incoming\/.+ failed in job .+: Failure when processing the image "s3:\/\//,
			);
		}
		assert.equal(emu.itemCount(ds), 20_050);
		const updated = emu.getItem(ds, key('rainy', 8))!;
		// The item was replaced (update on) with the new object's ETag.
		assert.equal(updated.metadata.etag, etags[etags.length - 2].replace(/"/g, ''));

		// Run 4: the 2 broken objects (still listed) are offered again; the vanished ones are not.
		r0 = received();
		const fourth = await sync(ds);
		assert.equal(received() - r0, 2);
		assert.deepEqual(
			fourth.errors.map((e) => details(e).key).sort(),
			broken.map((o) => o.key).sort(),
		);

		// Fixed in the bucket: sent once more and stored; then nothing is left to do.
		await s3.putObjects(
			BUCKET,
			broken.map((o, i) => ({ key: o.key, body: tinyPng(800_000 + i) })),
		);
		const fifth = await sync(ds);
		assert.equal(fifth.errors.length, 0);
		assert.equal(emu.itemCount(ds), 20_052);
		r0 = received();
		const sixth = await sync(ds, { updateChanged: true });
		assert.equal(sixth.jobs.length, 0);
		assert.equal(received() - r0, 0);
		// Every object in the bucket is in the dataset once; the 3 whose objects were deleted stay
		// (counted as gone, never deleted), the 3 that vanished before being read never arrived.
		const refs = emu.listItems(ds).map((i) => i.reference_id);
		assert.equal(new Set(refs).size, refs.length);
		assert.equal(refs.length, 20_000 + 50 + 2);
		assert.equal(sixth.summary.gone_from_bucket, 3);
	});

	test('List Folders Only: one item per folder under the prefix', async () => {
		const { output } = await runScale(
			emu,
			{
				resource: 'datasetItem',
				operation: 'syncFromBucket',
				syncMode: 'listFolders',
				bucket: BUCKET,
				prefix: 'incoming/',
			},
			[{ json: {} }],
			{
				credentials: {
					scaleNucleusApi: { apiKey: emu.apiKey, baseUrl: emu.baseUrl },
					scaleNucleusBucketApi: bucketCredentials(s3.endpoint),
				},
				credentialTypes: [new ScaleNucleusBucketApi()],
			},
		);
		assert.deepEqual(
			output[0].map((i) => i.json),
			FOLDERS.map((f) => ({ bucket: BUCKET, prefix: `incoming/${f}/` })),
		);
	});
});

describe('Sync from Bucket, cancelled while listing', () => {
	test('stops within 1 s of the cancel, asks no page after it, and sends nothing', async () => {
		const listing = await startListingStandIn(
			generatedBucket({ folders: 10, perFolder: 100_000 }),
			{ pageDelayMs: 50 },
		);
		try {
			const ds = emu.createDataset('sync-cancel');
			const controller = new AbortController();
			// One job per 100,000 objects: nothing is due to be sent before the cancel.
			const sent0 = received();
			const run = sync(
				ds,
				{ options: { objectsPerJob: 100_000 } },
				{ endpoint: listing.endpoint, abortSignal: controller.signal },
			);
			for (let i = 0; i < 300 && listing.pages() < 8; i++)
				await new Promise((r) => setTimeout(r, 50));
			const pagesAtCancel = listing.pages();
			assert.ok(pagesAtCancel > 3, `listing under way (${pagesAtCancel} pages)`);
			const cancelledAt = Date.now();
			controller.abort();
			await assert.rejects(run);
			const took = Date.now() - cancelledAt;
			assert.ok(took < 1_000, `stopped ${took} ms after the cancel`);
			// Requests written before the cancel may still reach the stand-in (it runs in this
			// process, after this test's code); none is asked once the run has stopped.
			await new Promise((r) => setTimeout(r, 200));
			const pagesAtStop = listing.pages();
			await new Promise((r) => setTimeout(r, 500));
			assert.equal(listing.pages(), pagesAtStop, 'no page asked for after the run stopped');
			assert.equal(received(), sent0, 'nothing sent');
		} finally {
			await listing.close();
		}
	});
});
