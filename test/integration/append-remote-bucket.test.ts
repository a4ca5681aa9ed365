/**
 * The node appends `s3://` URLs from a bucket (Remote URL, waiting) to an emulator that reads them
 * from a real S3 server (s3rver): each object missing or not an image comes out failed with the
 * job's error, quoting its URL; the others are appended.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '../emulator';
import { tinyPng } from '../harness/images';
import { startS3Server, type S3Server } from '../harness/s3';
import { appendParams, json, runScale } from './scale-nucleus';

const BUCKET = 'nucleus-images';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let s3: S3Server;
let emu: Emulator;

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	emu = await startEmulator({ s3Endpoint: s3.endpoint });
});

after(async () => {
	await emu?.close();
	await s3?.close();
});

describe('the node appends from the bucket (Remote URL, waiting)', () => {
	test('each object missing or not an image comes out failed with the job error; the others appended', async () => {
		const ds = emu.createDataset('node-from-bucket');
		const keys = Array.from({ length: 12 }, (_, k) => `node/${k % 2 ? 'foggy' : 'rainy'}/${k}.png`);
		await s3.putObjects(
			BUCKET,
			keys.map((key, k) => ({ key, body: tinyPng(100 + k), contentType: 'image/png' })),
		);
		await s3.deleteObject(BUCKET, keys[3]);
		await s3.putObject(BUCKET, keys[7], Buffer.from('<html>not an image</html>'), 'text/html');
		const { output } = await runScale(
			emu,
			appendParams(ds, {
				metadataMode: 'fields',
				metadataFields: { field: [{ key: 'folder', value: '={{ $json.folder }}' }] },
				waitForCompletion: true,
				options: { pollInterval: 0.1, timeout: 60 },
			}),
			keys.map((key) =>
				json({ ref: key, url: `s3://${BUCKET}/${key}`, folder: key.split('/')[1] }),
			),
		);
		const results = output[0];
		assert.equal(results.length, 12);
		const failed = results.filter((i) => i.json.succeeded === false);
		assert.deepEqual(
			failed.map((i) => i.json.reference_id),
			[keys[3], keys[7]],
		);
		for (const item of failed) {
			assert.equal(item.json.outcome, 'failed');
			assert.ok(
				String(item.json.error_message).includes(
					`"s3://${BUCKET}/${String(item.json.reference_id)}"`,
				),
				String(item.json.error_message),
			);
		}
		assert.match(String(failed[0].json.error_message), /could not fetch image \(HTTP 404\)/);
		assert.match(String(failed[1].json.error_message), /not a supported image/);
		assert.equal(emu.itemCount(ds), 10);
		assert.deepEqual(emu.getItem(ds, keys[0])?.metadata, { folder: 'rainy' });
		assert.equal(emu.getItem(ds, keys[0])?.fetchedImage?.sha256, sha(tinyPng(100)));
	});
});
