/**
 * End to end in n8n's queue mode: main + 2 workers on PostgreSQL and Redis, binary data in the
 * database, executions started through Webhook triggers on main and run by the workers, results
 * checked in the emulator and in the executions n8n stored. One file because every test shares one
 * started stack (main, 2 workers, PostgreSQL, Redis), whose start-up costs most of the suite's time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';

import { cleanupWorkRoot, delay, describeRun, nodeOutput, pairedIndex } from '../n8n';
import { EXAMPLES, exampleWorkflow } from '../stack';
import { startQueueStack, type QueueStack } from './stack';
import { storedExecution, uploadedFilesWorkflow, viaWebhook } from './workflows';

let q: QueueStack;
const datasets = { remote: '', badInput: '', trigger: '' };
const workflowIds = { remote: '', badInput: '', trigger: '' };

const UPLOAD_WORKFLOW = 'queueUploadFiles';
const UPLOAD_PATH = 'queue-upload-files';
// The same upload with Skip Items Already in Dataset on: the crash/re-run workflow.
const SKIP_WORKFLOW = 'queueUploadFilesSkip';
const SKIP_PATH = 'queue-upload-files-skip';

before(async () => {
	q = await startQueueStack({
		workers: 2,
		concurrency: 5,
		// The realistic profile's latency and in-flight limit per key (its model of a hosted API,
		// not Scale's published numbers), so requests overlap and parallel executions compete for
		// one limit.
		emulator: { overrides: { latencyMs: 50, maxInFlightPerKey: 32 } },
		env: {
			// A killed worker's job is declared stalled, and its execution failed, once its lock
			// expires: a 60 s lock checked every 30 s by default, 10 s checked every 5 s here.
			QUEUE_WORKER_LOCK_DURATION: '10000',
			QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
			QUEUE_WORKER_STALLED_INTERVAL: '5000',
		},
	});
	datasets.remote = q.emu.createDataset('queue-remote');
	datasets.badInput = q.emu.createDataset('queue-bad-input');
	for (const [key, file, webhookPath] of [
		['remote', EXAMPLES.remoteAsync, 'queue-remote'],
		['badInput', EXAMPLES.badInput, 'queue-bad-input'],
	] as const) {
		const wf = await exampleWorkflow(q.main, file, { datasetId: datasets[key] });
		await q.main.importWorkflow(viaWebhook(wf, webhookPath));
		await q.main.publishWorkflow(wf.id);
		workflowIds[key] = wf.id;
	}
	// The trigger example as it is: main polls the emulator every minute, a worker runs each execution.
	datasets.trigger = q.emu.createDataset('queue-trigger');
	const trigger = await exampleWorkflow(q.main, EXAMPLES.trigger, { datasetId: datasets.trigger });
	await q.main.importWorkflow(trigger);
	await q.main.publishWorkflow(trigger.id);
	workflowIds.trigger = trigger.id;
	await q.main.importWorkflow(uploadedFilesWorkflow(UPLOAD_WORKFLOW, UPLOAD_PATH));
	await q.main.publishWorkflow(UPLOAD_WORKFLOW);
	await q.main.importWorkflow(
		uploadedFilesWorkflow(SKIP_WORKFLOW, SKIP_PATH, { skipPresent: true }),
	);
	await q.main.publishWorkflow(SKIP_WORKFLOW);
	await q.start();
});

after(async () => {
	if (q) {
		for (const m of await q.memory())
			process.stderr.write(`[queue] memory ${m.name}: ${m.rssMiB} MiB\n`);
	}
	await q?.close();
	await cleanupWorkRoot();
});

/** Small distinct PNG-signed files; the bytes are what the emulator's sha256 checks. */
function makeFiles(prefix: string, count: number): Array<{ name: string; bytes: Buffer }> {
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	return Array.from({ length: count }, (_, i) => {
		const name = `${prefix}-${String(i).padStart(5, '0')}.png`;
		return { name, bytes: Buffer.concat([signature, Buffer.from(`${name} `.repeat(8))]) };
	});
}

async function postWebhook(path: string, body?: FormData, query = ''): Promise<Response> {
	return await fetch(`${q.webhookUrl(path)}${query}`, {
		method: 'POST',
		body: body ?? new FormData(),
		signal: AbortSignal.timeout(10 * 60_000),
	});
}

function filesForm(files: Array<{ name: string; bytes: Buffer }>): FormData {
	const form = new FormData();
	for (const f of files) form.append('file', new Blob([f.bytes], { type: 'image/png' }), f.name);
	return form;
}

async function uploadFiles(
	datasetId: string,
	files: Array<{ name: string; bytes: Buffer }>,
	path = UPLOAD_PATH,
): Promise<Response> {
	const query = `?dataset=${encodeURIComponent(datasetId)}`;
	return await postWebhook(path, filesForm(files), query);
}

async function newExecutionIds(workflowId: string, known: Set<string>): Promise<string[]> {
	return (await q.executionIds(workflowId)).filter((id) => !known.has(id));
}

/** The worker that ran the execution, by its log; fails if none or main ran it. */
function ranBy(executionId: string): string {
	const worker = q.workerOf(executionId);
	assert.ok(worker, `a worker's log names execution ${executionId}`);
	process.stderr.write(`[queue] execution ${executionId} ran on ${worker.name}\n`);
	return worker.name;
}

function assertStoredOnce(
	datasetId: string,
	files: Array<{ name: string; bytes: Buffer }>,
	prefix = '',
) {
	assert.equal(q.emu.itemCount(datasetId), files.length);
	for (const f of files) {
		const item = q.emu.getItem(datasetId, prefix + f.name);
		assert.ok(item?.image, `${f.name} stored with its image`);
		assert.equal(item.image.sha256, createHash('sha256').update(f.bytes).digest('hex'), f.name);
	}
}

test('queue 1: 1,000 remote images appended as one async job by a worker', async () => {
	const res = await postWebhook('queue-remote');
	assert.equal(res.status, 200, await res.clone().text());
	await res.arrayBuffer();
	const [id] = await q.executionIds(workflowIds.remote);
	const run = await storedExecution(q, id);
	assert.equal(run.status, 'success', describeRun(run));
	ranBy(id);
	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 1000);
	results.forEach((item, i) => assert.equal(pairedIndex(item), i));
	assert.equal(nodeOutput(run, 'Succeeded?', 0).length, 990);
	assert.equal(nodeOutput(run, 'Succeeded?', 1).length, 10);
	assert.equal(q.emu.itemCount(datasets.remote), 990);
	const jobs = q.emu.listJobs().filter((j) => j.dataset_id === datasets.remote);
	assert.equal(jobs.length, 1, 'one async job');
});

test('queue 2: files posted to the webhook are stored by main and uploaded by a worker', async () => {
	const datasetId = q.emu.createDataset('queue-webhook-files');
	const files = makeFiles('hook', 25);
	const known = new Set(await q.executionIds(UPLOAD_WORKFLOW));
	const res = await uploadFiles(datasetId, files);
	assert.equal(res.status, 200, await res.clone().text());
	await res.arrayBuffer();
	const [id] = await newExecutionIds(UPLOAD_WORKFLOW, known);
	const run = await storedExecution(q, id);
	assert.equal(run.status, 'success', describeRun(run));
	ranBy(id);
	const hook = nodeOutput(run, 'Webhook')[0];
	const binary = hook.binary?.file0 as { id?: string } | undefined;
	assert.ok(
		String(binary?.id).startsWith('database'),
		`main stored file0 in the database: ${JSON.stringify(binary)}`,
	);
	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 25);
	for (const r of results) assert.equal(r.json.outcome, 'appended', JSON.stringify(r.json));
	assertStoredOnce(datasetId, files);
});

test('queue 3: the error-output example sends the good items and routes the bad ones', async () => {
	const res = await postWebhook('queue-bad-input');
	assert.equal(res.status, 200, await res.clone().text());
	await res.arrayBuffer();
	const [id] = await q.executionIds(workflowIds.badInput);
	const run = await storedExecution(q, id);
	assert.equal(run.status, 'success', describeRun(run));
	ranBy(id);
	const bad = nodeOutput(run, 'Append to Nucleus', 1);
	assert.deepEqual(bad.map((i) => pairedIndex(i)).sort(), [2, 5, 7]);
	assert.equal(nodeOutput(run, 'Append to Nucleus', 0).length, 7);
	assert.equal(q.emu.itemCount(datasets.badInput), 7);
});

test('queue 4: a worker killed mid-upload; the re-run (Skip Items Already in Dataset) sends only the missing images, stores each exactly once', async () => {
	const datasetId = q.emu.createDataset('queue-crash');
	const files = makeFiles('crash', 2000);
	const known = new Set(await q.executionIds(SKIP_WORKFLOW));
	const before = q.emu.stats().appendRequests;
	// Main answers this call only when the execution ends; it ends failed, so the answer is not read.
	const call = uploadFiles(datasetId, files, SKIP_PATH).then(
		(r) => r.arrayBuffer().then(() => r.status),
		() => 0,
	);
	let id: string | undefined;
	const startDeadline = Date.now() + 5 * 60_000;
	for (;;) {
		if (Date.now() > startDeadline) assert.fail('the upload did not start on a worker');
		[id] = await newExecutionIds(SKIP_WORKFLOW, known);
		if (id && q.workerOf(id) && q.emu.stats().appendRequests - before >= 40) break;
		await delay(50);
	}
	const victim = q.workerOf(id)!;
	await q.kill(victim);
	const storedAtKill = q.emu.itemCount(datasetId);
	process.stderr.write(
		`[queue] killed ${victim.name} running execution ${id}; ${storedAtKill} of 2000 images stored\n`,
	);
	assert.ok(storedAtKill < files.length, 'killed partway');

	// n8n declares the job stalled once its lock expires and fails the execution (no retry).
	let status: string | undefined;
	const t0 = Date.now();
	while (!status || !['error', 'crashed', 'failed'].includes(status)) {
		status = (await q.execution(id))?.status;
		if (Date.now() - t0 > 5 * 60_000) assert.fail(`execution ${id} still ${String(status)}`);
		await delay(1000);
	}
	process.stderr.write(
		`[queue] execution ${id} marked ${status} ${Math.round((Date.now() - t0) / 1000)} s after the kill\n`,
	);
	await call;
	const storedAfterFail = q.emu.itemCount(datasetId);

	// The re-run goes to the surviving worker.
	const known2 = new Set(await q.executionIds(SKIP_WORKFLOW));
	const storedBeforeRerun = q.emu.listItems(datasetId).map((i) => i.reference_id);
	const sentBefore = q.emu.stats();
	const res = await uploadFiles(datasetId, files, SKIP_PATH);
	assert.equal(res.status, 200, await res.clone().text());
	await res.arrayBuffer();
	const sentAfter = q.emu.stats();
	const [rerun] = await newExecutionIds(SKIP_WORKFLOW, known2);
	const run = await storedExecution(q, rerun);
	assert.equal(run.status, 'success', describeRun(run));
	assert.notEqual(ranBy(rerun), victim.name);
	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 2000);
	assertStoredOnce(datasetId, files);
	const present = results.filter((r) => r.json.outcome === 'already_present');
	const appended = results.filter((r) => r.json.outcome === 'appended');
	assert.equal(present.length, storedAfterFail, 'the stored images are reported already present');
	assert.equal(appended.length, 2000 - storedAfterFail);
	assert.ok(present.every((r) => r.json.succeeded === true && r.json.job_id === undefined));
	// Exactly the images stored before the re-run are the ones reported already present.
	assert.deepEqual(
		present.map((r) => String(r.json.reference_id)).sort(),
		storedBeforeRerun.sort(),
	);
	assert.equal(new Set(results.map((r) => r.json.reference_id)).size, 2000);
	const imagesSent = sentAfter.imagesReceived - sentBefore.imagesReceived;
	const appendRequests = sentAfter.appendRequests - sentBefore.appendRequests;
	const listingRequests =
		(sentAfter.byRoute['POST dataset/:id/itemsPage'] ?? 0) -
		(sentBefore.byRoute['POST dataset/:id/itemsPage'] ?? 0);
	assert.equal(imagesSent, 2000 - storedAfterFail, 'only the missing images are sent');
	// 10 images per request (Images per Request's maximum), plus one listing request (2,000 < 10,000).
	assert.equal(appendRequests, Math.ceil((2000 - storedAfterFail) / 10));
	assert.equal(listingRequests, 1);
	const jobs = q.emu.listJobs().filter((j) => j.dataset_id === datasetId);
	const counted = jobs.reduce(
		(s, j) => ({ new: s.new + j.newItems, ignored: s.ignored + j.ignoredItems }),
		{ new: 0, ignored: 0 },
	);
	process.stderr.write(
		`[queue] crash/re-run: ${storedAfterFail} stored before the re-run, reported already_present; the re-run sent ${imagesSent} images in ${appendRequests} append requests + ${listingRequests} listing request (without the option: 2000 images, 200 requests); jobs counted ${counted.new} new, ${counted.ignored} left as they were\n`,
	);
	assert.equal(counted.new, 2000, 'every image stored once');
	assert.equal(counted.ignored, 0, 'nothing already there was sent again');
	await q.restart(victim);
});

test('queue 5: 4 executions at once, 500 images each to one dataset, on 2 workers', async () => {
	const datasetId = q.emu.createDataset('queue-parallel');
	const batches = [0, 1, 2, 3].map((k) => makeFiles(`par${k}`, 500));
	const known = new Set(await q.executionIds(UPLOAD_WORKFLOW));
	q.emu.resetStats();
	const answers = await Promise.all(batches.map((files) => uploadFiles(datasetId, files)));
	for (const res of answers) {
		assert.equal(res.status, 200, await res.clone().text());
		await res.arrayBuffer();
	}
	const stats = q.emu.stats();
	const ids = await newExecutionIds(UPLOAD_WORKFLOW, known);
	assert.equal(ids.length, 4);
	const ranOn = new Map<string, number>();
	for (const id of ids) {
		const run = await storedExecution(q, id);
		assert.equal(run.status, 'success', describeRun(run));
		const results = nodeOutput(run, 'Append to Nucleus');
		assert.equal(results.length, 500);
		for (const r of results) assert.equal(r.json.outcome, 'appended', JSON.stringify(r.json));
		const worker = ranBy(id);
		ranOn.set(worker, (ranOn.get(worker) ?? 0) + 1);
	}
	assertStoredOnce(datasetId, batches.flat());
	const jobs = q.emu.listJobs().filter((j) => j.dataset_id === datasetId);
	assert.equal(
		jobs.reduce((n, j) => n + j.newItems, 0),
		2000,
		'no image stored twice',
	);
	process.stderr.write(
		`[queue] parallel: ${ids.length} executions (${[...ranOn].map(([w, n]) => `${w}: ${n}`).join(', ')}), ` +
			`${stats.appendRequests} append requests, ${stats.limited429} answered 429 by the in-flight limit, ` +
			`peak ${stats.inFlightPeak} requests in flight\n`,
	);
});

test('queue 6: the trigger starts exactly one execution, on a worker, per finished job', async () => {
	const triggerExecutions = async () => {
		const out: Array<{ id: string; jobId: unknown }> = [];
		for (const id of await q.executionIds(workflowIds.trigger)) {
			const run = await storedExecution(q, id);
			for (const item of nodeOutput(run, 'When a Nucleus job finishes')) {
				out.push({ id, jobId: item.json.job_id });
			}
		}
		return out;
	};
	const jobListRequests = () =>
		Object.entries(q.emu.stats().byRoute)
			.filter(([route]) => /^POST \/?jobs/.test(route))
			.reduce((sum, [, n]) => sum + n, 0);
	const waitFor = async (what: string, probe: () => Promise<boolean>) => {
		const deadline = Date.now() + 150_000;
		while (!(await probe())) {
			if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
			await delay(1000);
		}
	};
	assert.deepEqual(await triggerExecutions(), [], 'nothing emitted for jobs before activation');
	const finished: string[] = [];
	const job = q.emu.createJob(datasets.trigger, [
		{ reference_id: 'trig-ok', image_url: 's3://bucket/trig.jpg' },
		{ reference_id: 'trig-bad', image_url: 'https://gone.invalid/trig.jpg' },
	]);
	await q.emu.finishJob(job.job_id);
	finished.push(job.job_id);
	await waitFor('an execution for the job', async () => (await triggerExecutions()).length > 0);
	// One more poll after the last emission must not start the workflow again.
	const polls = jobListRequests();
	await waitFor('the following poll', async () => jobListRequests() > polls);
	await delay(5000);
	const executions = await triggerExecutions();
	assert.deepEqual(
		executions.map((e) => e.jobId),
		finished,
	);
	assert.equal(new Set(executions.map((e) => e.id)).size, 1, 'one execution per job');
	for (const e of executions) ranBy(e.id);
});
