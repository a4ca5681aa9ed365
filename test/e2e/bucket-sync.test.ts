/**
 * End to end, Sync from Bucket: example 09 in a real n8n 2.41.1 against s3rver (the listing) and
 * the emulator (which reads the `s3://` images from the same s3rver), and a crash of the n8n
 * process mid-sync followed by a re-run.
 *
 * `n8n execute` starts a workflow at its Manual Trigger, so example 09 runs from "Run now"; its
 * "Every hour" Schedule Trigger feeds the same node when the workflow is active.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { tinyPng } from '../harness/images';
import { startS3Server, type S3Server } from '../harness/s3';
import {
	cleanupWorkRoot,
	delay,
	describeRun,
	findNode,
	freePort,
	nodeOutput,
	type CredentialEntity,
} from './n8n';
import { exampleWorkflow, startStack, type Stack } from './stack';

const EXAMPLE = '09-scheduled-bucket-sync.json';
const SYNC_NODE = 'Sync incoming/ to Nucleus';
const BUCKET = 'nucleus-images';
const FOLDERS = ['foggy', 'rainy', 'sunny'];

let s3: S3Server;
let stack: Stack;

/** The example's bucket credential, for the s3rver of this run. */
function bucketCredential(server: S3Server): CredentialEntity {
	return {
		id: 'bucketDemoCred1',
		name: 'Bucket (local s3rver)',
		type: 'scaleNucleusBucketApi',
		data: {
			region: server.region,
			accessKeyId: server.accessKeyId,
			secretAccessKey: server.secretAccessKey,
			endpoint: server.endpoint,
			forcePathStyle: true,
		},
	};
}

const objectsUnder = (prefix: string, perFolder: number, seed: number) =>
	FOLDERS.flatMap((folder, f) =>
		Array.from({ length: perFolder }, (_, i) => ({
			key: `${prefix}${folder}/${String(i).padStart(5, '0')}.png`,
			body: tinyPng(seed + f * perFolder + i),
			contentType: 'image/png',
		})),
	);

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	stack = await startStack({ label: 'bucket-sync', s3 });
	await stack.n8n.importCredentials([bucketCredential(s3)]);
});

after(async () => {
	await stack?.close();
	await s3?.close();
	await cleanupWorkRoot();
});

describe('Sync from Bucket in n8n', () => {
	test('9: scheduled bucket sync: 3,000 objects in one job, the 2 unreadable ones on the error output; the next run sends only those again', async (t) => {
		const { emu, n8n } = stack;
		const objects = objectsUnder('incoming/', 1_000, 0);
		const broken = ['incoming/sunny/broken-1.png', 'incoming/sunny/broken-2.png'];
		await s3.putObjects(BUCKET, [
			...objects,
			...broken.map((key) => ({ key, body: Buffer.from('not an image') })),
			{ key: 'archive/old.png', body: tinyPng(1 << 20) },
		]);
		const datasetId = emu.createDataset('e2e-bucket-sync');
		const wf = await exampleWorkflow(n8n, EXAMPLE, { datasetId });
		await n8n.importWorkflow(wf);

		const t0 = Date.now();
		const run1 = await n8n.execute(wf.id);
		t.diagnostic(`first run: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		assert.equal(run1.status, 'success', describeRun(run1));
		const ok1 = nodeOutput(run1, 'Jobs and summary');
		const failed1 = nodeOutput(run1, 'Failed objects');
		assert.deepEqual(
			ok1.map((i) => i.json.type),
			['job', 'summary'],
		);
		assert.equal(ok1[0].json.objects, 3_002);
		assert.equal(ok1[0].json.failed_objects, 2);
		assert.equal(ok1[1].json.new_objects, 3_002);
		assert.deepEqual(failed1.map((i) => (i.json.details as { key: string }).key).sort(), broken);
		assert.equal(emu.itemCount(datasetId), 3_000);
		assert.equal(emu.getItem(datasetId, 'incoming/rainy/00007.png')?.metadata.weather, 'rainy');

		const before2 = emu.stats().appendItemsReceived;
		const run2 = await n8n.execute(wf.id);
		assert.equal(run2.status, 'success', describeRun(run2));
		assert.equal(emu.stats().appendItemsReceived - before2, 2, 'only the 2 failed objects again');
		assert.equal(nodeOutput(run2, 'Failed objects').length, 2);
		assert.equal(emu.itemCount(datasetId), 3_000);
	});

	test('a crash (n8n killed) mid-sync, then a re-run: every object stored exactly once', async (t) => {
		const { emu, n8n } = stack;
		const objects = objectsUnder('crash/', 1_000, 100_000);
		await s3.putObjects(BUCKET, objects);
		const datasetId = emu.createDataset('e2e-bucket-sync-crash');
		const wf = await exampleWorkflow(n8n, EXAMPLE, { datasetId, id: 'nucleusDemo09Crash' });
		const node = findNode(wf, SYNC_NODE);
		node.parameters.prefix = 'crash/';
		node.parameters.options = { pollInterval: 1, objectsPerJob: 300 };
		await n8n.importWorkflow(wf);

		// Jobs are held once created, so the execution is still running when n8n is killed; each append
		// request waits 400 ms first, so the kill lands between two jobs however fast the machine is.
		emu.setHoldNewJobs(true);
		emu.setFaults({ rateSlow: 1, slowMs: 400, routes: /\/append(\?|$)/ });
		const child = spawn(n8n.install.n8nBin, ['execute', `--id=${wf.id}`, '--rawOutput'], {
			cwd: n8n.userFolder,
			env: n8n.env({ N8N_RUNNERS_BROKER_PORT: String(await freePort()) }),
			stdio: 'ignore',
			detached: true,
		});
		const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
		const ours = () => emu.listJobs().filter((j) => j.dataset_id === datasetId);
		for (let i = 0; i < 1200 && ours().length < 4; i++) await delay(100);
		// SIGKILL of the process group: n8n and its task runner, as a crash.
		process.kill(-child.pid!, 'SIGKILL');
		await exited;
		emu.resetFaults();
		const jobsAtKill = ours().length;
		t.diagnostic(`killed n8n after ${jobsAtKill} of 10 jobs were created`);
		assert.ok(jobsAtKill >= 4 && jobsAtKill < 10, `killed mid-sync (${jobsAtKill} jobs)`);

		// The jobs accepted before the crash run to their end in Nucleus, whatever became of n8n.
		emu.setHoldNewJobs(false);
		for (const job of ours()) emu.startJob(job.job_id);
		for (const job of ours()) await emu.waitForJob(job.job_id);
		const storedAtRerun = emu.itemCount(datasetId);
		assert.equal(storedAtRerun, jobsAtKill * 300);

		const receivedAtRerun = emu.stats().appendItemsReceived;
		const rerun = await n8n.execute(wf.id);
		assert.equal(rerun.status, 'success', describeRun(rerun));
		const summary = nodeOutput(rerun, 'Jobs and summary').find((i) => i.json.type === 'summary')!;
		assert.equal(summary.json.already_in_dataset, storedAtRerun);
		assert.equal(summary.json.new_objects, 3_000 - storedAtRerun);
		assert.equal(emu.itemCount(datasetId), 3_000);
		assert.equal(
			emu.stats().appendItemsReceived - receivedAtRerun,
			3_000 - storedAtRerun,
			'the re-run sends only the objects the dataset lacks',
		);
		const refs = emu.listItems(datasetId).map((i) => i.reference_id);
		assert.equal(new Set(refs).size, 3_000);
	});
});
