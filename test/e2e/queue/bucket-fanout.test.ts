/**
 * Sync from Bucket beyond one worker, in n8n's queue mode (main + 2 workers, PostgreSQL, Redis):
 * a fan-out workflow lists the folders of a bucket prefix (List Folders Only) and calls a
 * Webhook-triggered sub-workflow once per folder (HTTP Request, one request per item); main queues
 * each call as its own execution, the workers run them, each syncing its folder. The dataset being
 * the state makes the executions independent: every object is stored once, and a second fan-out
 * sends nothing. The bucket is s3rver; the emulator reads the `s3://` images from it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';

import { tinyPng } from '../../harness/images';
import { startS3Server, type S3Server } from '../../harness/s3';
import { cleanupWorkRoot, EXAMPLE_CREDENTIAL, NODE_TYPE, type WorkflowJson } from '../n8n';
import type { WorkflowNode } from '../workflow-json';
import { startQueueStack, type QueueStack } from './stack';
import { storedExecution } from './workflows';

const BUCKET = 'fanout-images';
const FOLDERS = ['cloudy', 'foggy', 'rainy', 'sunny'];
const PER_FOLDER = 500;
const FANOUT = { id: 'queueBucketFanout', path: 'bucket-fanout' };
const FOLDER_SYNC = { id: 'queueBucketFolderSync', path: 'bucket-sync-folder' };
const BUCKET_CREDENTIAL = { id: 'queueBucketCred1', name: 'Bucket (queue s3rver)' };

let s3: S3Server;
let q: QueueStack;

const credentials = {
	scaleNucleusApi: { ...EXAMPLE_CREDENTIAL },
	scaleNucleusBucketApi: { ...BUCKET_CREDENTIAL },
};

function webhook(path: string) {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0] as [number, number],
		webhookId: randomUUID(),
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		},
	};
}

const link = (from: string, to: string) => ({
	[from]: { main: [[{ node: to, type: 'main', index: 0 }]] },
});

/** The Scale Nucleus node of both workflows: Sync from Bucket of the bucket and prefix the webhook names. */
const syncNode = (name: string, parameters: Record<string, unknown>): WorkflowNode => ({
	id: randomUUID(),
	name,
	type: NODE_TYPE,
	typeVersion: 1,
	position: [220, 0],
	credentials,
	parameters: {
		resource: 'datasetItem',
		operation: 'syncFromBucket',
		bucket: '={{ $json.body.bucket }}',
		prefix: '={{ $json.body.prefix }}',
		...parameters,
	},
});

/** One folder: Webhook { bucket, prefix, dataset } → Sync from Bucket of that prefix, waiting. */
function folderSyncWorkflow(): WorkflowJson {
	return {
		id: FOLDER_SYNC.id,
		name: 'queue: sync one bucket folder',
		nodes: [
			webhook(FOLDER_SYNC.path),
			syncNode('Sync folder', {
				datasetId: { __rl: true, mode: 'id', value: '={{ $json.body.dataset }}' },
				folderFields: ', weather',
				waitForCompletion: true,
				options: { pollInterval: 1 },
			}),
		],
		connections: link('Webhook', 'Sync folder'),
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

/** Webhook { bucket, prefix, dataset, folderWebhook } → List Folders Only → one call per folder. */
function fanoutWorkflow(): WorkflowJson {
	return {
		id: FANOUT.id,
		name: 'queue: fan a bucket out by folder',
		nodes: [
			webhook(FANOUT.path),
			syncNode('List folders', { syncMode: 'listFolders' }),
			{
				id: randomUUID(),
				name: 'Sync each folder',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [440, 0],
				parameters: {
					method: 'POST',
					url: "={{ $('Webhook').first().json.body.folderWebhook }}",
					sendBody: true,
					specifyBody: 'json',
					jsonBody:
						"={{ JSON.stringify({ bucket: $json.bucket, prefix: $json.prefix, dataset: $('Webhook').first().json.body.dataset }) }}",
					options: { timeout: 600000 },
				},
			},
		],
		connections: {
			...link('Webhook', 'List folders'),
			...link('List folders', 'Sync each folder'),
		},
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	await s3.putObjects(
		BUCKET,
		FOLDERS.flatMap((folder, f) =>
			Array.from({ length: PER_FOLDER }, (_, i) => ({
				key: `incoming/${folder}/${String(i).padStart(4, '0')}.png`,
				body: tinyPng(f * PER_FOLDER + i),
			})),
		),
	);
	q = await startQueueStack({ workers: 2, concurrency: 5, emulator: { s3Endpoint: s3.endpoint } });
	await q.main.importCredentials([
		{
			...BUCKET_CREDENTIAL,
			type: 'scaleNucleusBucketApi',
			data: {
				region: s3.region,
				accessKeyId: s3.accessKeyId,
				secretAccessKey: s3.secretAccessKey,
				endpoint: s3.endpoint,
				forcePathStyle: true,
			},
		},
	]);
	for (const wf of [folderSyncWorkflow(), fanoutWorkflow()]) {
		await q.main.importWorkflow(wf);
		await q.main.publishWorkflow(wf.id!);
	}
	await q.start();
});

after(async () => {
	await q?.close();
	await s3?.close();
	await cleanupWorkRoot();
});

async function fanOut(dataset: string): Promise<unknown> {
	const res = await fetch(q.webhookUrl(FANOUT.path), {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			bucket: BUCKET,
			prefix: 'incoming/',
			dataset,
			folderWebhook: q.webhookUrl(FOLDER_SYNC.path),
		}),
		signal: AbortSignal.timeout(10 * 60_000),
	});
	assert.equal(res.status, 200, await res.clone().text());
	return await res.json();
}

test('fan-out: one execution per folder on the workers, every object stored once; a second fan-out sends nothing', async (t) => {
	const dataset = q.emu.createDataset('queue-bucket-fanout');
	const received0 = q.emu.stats().appendItemsReceived;
	const t0 = Date.now();
	await fanOut(dataset);
	t.diagnostic(`first fan-out: ${((Date.now() - t0) / 1000).toFixed(1)} s`);

	const runs = await q.executionIds(FOLDER_SYNC.id);
	assert.equal(runs.length, FOLDERS.length, 'one execution per folder');
	const byWorker: Record<string, number> = {};
	const prefixes: string[] = [];
	for (const id of runs) {
		const worker = q.workerOf(id);
		assert.ok(worker, `a worker ran execution ${id}`);
		byWorker[worker.name] = (byWorker[worker.name] ?? 0) + 1;
		const run = await storedExecution(q, id);
		assert.equal(run.status, 'success');
		const out = (run.runData['Sync folder']?.[0]?.data?.main?.[0] ?? []).map(
			(i) => i.json as Record<string, unknown>,
		);
		const summary = out.find((j) => j.type === 'summary')!;
		assert.equal(summary.new_objects, PER_FOLDER);
		assert.equal(summary.objects_listed, PER_FOLDER);
		prefixes.push(String(summary.prefix));
	}
	t.diagnostic(`folder executions per worker: ${JSON.stringify(byWorker)}`);
	assert.equal(Object.keys(byWorker).length, 2, 'both workers took folders');
	assert.deepEqual(
		prefixes.sort(),
		FOLDERS.map((f) => `incoming/${f}/`),
	);
	assert.equal(q.emu.itemCount(dataset), FOLDERS.length * PER_FOLDER);
	assert.equal(q.emu.stats().appendItemsReceived - received0, FOLDERS.length * PER_FOLDER);
	assert.equal(q.emu.getItem(dataset, 'incoming/foggy/0042.png')?.metadata.weather, 'foggy');

	await fanOut(dataset);
	const again = (await q.executionIds(FOLDER_SYNC.id)).filter((id) => !runs.includes(id));
	assert.equal(again.length, FOLDERS.length);
	assert.equal(
		q.emu.stats().appendItemsReceived - received0,
		FOLDERS.length * PER_FOLDER,
		'nothing sent twice',
	);
});
