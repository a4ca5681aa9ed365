/**
 * End to end, from a bucket: examples 07 and 08 in a real n8n 2.41.1, with n8n's own S3 node
 * (`n8n-nodes-base.s3`) listing and downloading from a real S3-compatible server (s3rver, in its
 * own process) and the emulator reading the `s3://` images from the same server, as Nucleus reads
 * a bucket it has been granted.
 *
 * `n8n execute` starts a workflow at its Manual Trigger (n8n's CLI accepts no other start node),
 * so example 07 runs from its "Run now" trigger; its "Every hour" Schedule Trigger feeds the same
 * nodes when the workflow is active.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { tinyPng } from '../harness/images';
import { startS3Server, type S3Server } from '../harness/s3';
import { cleanupWorkRoot, delay, describeRun, nodeOutput, type ExecutionResult } from './n8n';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from './stack';

const REMOTE_BUCKET = 'nucleus-images';
const PRIVATE_BUCKET = 'nucleus-private';
const FOLDERS = ['sunny', 'foggy', 'rainy'];
const PER_FOLDER = 400;

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let s3: S3Server;
let stack: Stack;

before(async () => {
	s3 = await startS3Server();
	stack = await startStack({ label: 'bucket', s3 });
});

after(async () => {
	await stack?.close();
	await s3?.close();
	await cleanupWorkRoot();
});

function seconds(run: ExecutionResult): string {
	if (!run.startedAt || !run.stoppedAt) return '?';
	return ((Date.parse(run.stoppedAt) - Date.parse(run.startedAt)) / 1000).toFixed(1);
}

describe('from a bucket', () => {
	test('7: scheduled remote ingestion: 1,200 objects in 3 folders, deleted ones routed as failed, a second run appends nothing', async (t) => {
		const { emu, n8n } = stack;
		await s3.createBucket(REMOTE_BUCKET);
		const objects = FOLDERS.flatMap((folder, f) =>
			Array.from({ length: PER_FOLDER }, (_, i) => ({
				key: `incoming/${folder}/${String(i).padStart(4, '0')}.png`,
				body: tinyPng(f * PER_FOLDER + i),
				contentType: 'image/png',
			})),
		);
		// Outside the prefix: never listed.
		const archived = Array.from({ length: 5 }, (_, i) => ({
			key: `archive/${i}.png`,
			body: tinyPng(0x100000 + i),
			contentType: 'image/png',
		}));
		await s3.putObjects(REMOTE_BUCKET, [...objects, ...archived]);
		const deleted = [
			'incoming/sunny/0007.png',
			'incoming/foggy/0123.png',
			'incoming/rainy/0399.png',
		];

		const datasetId = emu.createDataset('e2e-bucket-remote');
		const wf = await exampleWorkflow(n8n, EXAMPLES.bucketRemote, { datasetId });
		await n8n.importWorkflow(wf);

		// Run 1. The job is held once created, the 3 objects deleted, then the job runs: they are
		// listed and sent, but gone when Nucleus reads them.
		emu.setHoldNewJobs(true);
		const t0 = Date.now();
		const running = n8n.execute(wf.id);
		let jobId: string | undefined;
		try {
			while (!jobId) {
				const job = emu.listJobs().find((j) => j.dataset_id === datasetId);
				if (job) jobId = job.job_id;
				else if (await Promise.race([running.then(() => true), delay(250).then(() => false)])) {
					break;
				}
			}
		} finally {
			emu.setHoldNewJobs(false);
		}
		if (!jobId) assert.fail(`no job was created: ${describeRun(await running)}`);
		for (const key of deleted) await s3.deleteObject(REMOTE_BUCKET, key);
		emu.startJob(jobId);
		const run1 = await running;
		const wall1 = (Date.now() - t0) / 1000;
		assert.equal(run1.status, 'success', describeRun(run1));

		const listed = nodeOutput(run1, 'List objects under incoming/');
		assert.equal(listed.length, 1200, 'Return All follows the 1,000-key pages');
		assert.equal(nodeOutput(run1, 'Only new or changed objects').length, 1200);
		const results = nodeOutput(run1, 'Append to Nucleus');
		assert.equal(results.length, 1200, 'one result per object');
		const appended = nodeOutput(run1, 'Appended?', 0);
		const failed = nodeOutput(run1, 'Appended?', 1);
		assert.equal(appended.length, 1197);
		assert.deepEqual(failed.map((i) => i.json.reference_id).sort(), [...deleted].sort());
		for (const item of failed) {
			assert.equal(item.json.outcome, 'failed');
			assert.equal(item.json.succeeded, false);
			assert.equal(item.json.job_id, jobId);
			assert.equal(item.json.job_status, 'Errored_Partial');
			assert.equal(item.json.image_url, `s3://${REMOTE_BUCKET}/${String(item.json.reference_id)}`);
			assert.equal(
				item.json.error_message,
				`Failure when processing the image "s3://${REMOTE_BUCKET}/${String(item.json.reference_id)}": could not fetch image (HTTP 404)`,
			);
		}
		assert.ok(appended.every((i) => i.json.outcome === 'appended' && i.json.succeeded === true));

		// The dataset holds the 1,197 images Nucleus could read, with the folder as metadata.
		assert.equal(emu.itemCount(datasetId), 1197);
		const sample = objects[PER_FOLDER + 5]; // incoming/foggy/0005.png
		const stored = emu.getItem(datasetId, sample.key);
		assert.ok(stored, `${sample.key} stored`);
		assert.equal(stored.image_url, `s3://${REMOTE_BUCKET}/${sample.key}`);
		assert.equal(stored.metadata.folder, 'foggy');
		assert.equal(stored.metadata.s3_key, sample.key);
		assert.equal(stored.fetchedImage?.sha256, sha(sample.body), 'the image read is the object');
		assert.equal(emu.listJobs().filter((j) => j.dataset_id === datasetId).length, 1);

		// Run 2: the same bucket minus the 3 deleted objects; every listed object was seen.
		const t1 = Date.now();
		const run2 = await n8n.execute(wf.id);
		const wall2 = (Date.now() - t1) / 1000;
		assert.equal(run2.status, 'success', describeRun(run2));
		assert.equal(nodeOutput(run2, 'List objects under incoming/').length, 1197);
		assert.equal(nodeOutput(run2, 'Only new or changed objects').length, 0);
		assert.equal(nodeOutput(run2, 'Append to Nucleus').length, 0);
		assert.equal(emu.listJobs().filter((j) => j.dataset_id === datasetId).length, 1, 'no new job');
		assert.equal(emu.itemCount(datasetId), 1197);

		// Run 3: one object re-uploaded with new bytes (a new ETag) comes again and replaces its item.
		const changed = objects[2 * PER_FOLDER + 10]; // incoming/rainy/0010.png
		const newBody = tinyPng(0xfedcba);
		await s3.putObject(REMOTE_BUCKET, changed.key, newBody, 'image/png');
		const run3 = await n8n.execute(wf.id);
		assert.equal(run3.status, 'success', describeRun(run3));
		assert.deepEqual(
			nodeOutput(run3, 'Only new or changed objects').map((i) => i.json.Key),
			[changed.key],
		);
		assert.equal(nodeOutput(run3, 'Appended?', 0).length, 1);
		const replaced = emu.getItem(datasetId, changed.key);
		assert.equal(replaced?.updatedCount, 1);
		assert.equal(replaced?.fetchedImage?.sha256, sha(newBody));
		assert.equal(emu.itemCount(datasetId), 1197);

		t.diagnostic(
			`example 7: ${objects.length} objects listed (+${archived.length} outside the prefix), ` +
				`run 1 ${seconds(run1)} s in n8n (${wall1.toFixed(1)} s with n8n execute's start): ` +
				`${appended.length} appended, ${failed.length} failed via the IF's false output; ` +
				`run 2 ${seconds(run2)} s (${wall2.toFixed(1)} s): 0 new; run 3 ${seconds(run3)} s: 1 changed object updated`,
		);
	});

	test('8: private bucket, local upload: every stored image is the object, byte for byte', async (t) => {
		const { emu, n8n } = stack;
		await s3.createBucket(PRIVATE_BUCKET);
		const objects = [
			...Array.from({ length: 40 }, (_, i) => ({
				key: `uploads/${i % 2 ? 'cam-a' : 'cam-b'}/${String(i).padStart(3, '0')}.png`,
				body: tinyPng(0x200000 + i),
				contentType: 'image/png',
			})),
			// Two larger files (1 MB, JPEG signature + random bytes).
			...[0, 1].map((i) => ({
				key: `uploads/cam-a/large-${i}.jpg`,
				body: Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(1024 * 1024)]),
				contentType: 'image/jpeg',
			})),
		];
		await s3.putObjects(PRIVATE_BUCKET, objects);
		const datasetId = emu.createDataset('e2e-bucket-local');
		const wf = await exampleWorkflow(n8n, EXAMPLES.bucketLocal, { datasetId });
		await n8n.importWorkflow(wf);

		const run = await n8n.execute(wf.id);
		assert.equal(run.status, 'success', describeRun(run));
		assert.equal(nodeOutput(run, 'Download object').length, objects.length);
		assert.equal(nodeOutput(run, 'Appended?', 0).length, objects.length);
		assert.equal(nodeOutput(run, 'Appended?', 1).length, 0);
		assert.equal(emu.itemCount(datasetId), objects.length);
		for (const o of objects) {
			const item = emu.getItem(datasetId, o.key);
			assert.ok(item?.image, `${o.key} uploaded`);
			assert.equal(item.image.sha256, sha(o.body), `${o.key}: stored bytes are the object's`);
			assert.equal(item.image.bytes, o.body.length);
			assert.equal(item.metadata.folder, o.key.split('/')[1]);
		}
		t.diagnostic(
			`example 8: ${objects.length} objects downloaded and uploaded in ${seconds(run)} s, all SHA-256 equal`,
		);
	});
});
