/**
 * Scenarios shared by the e2e suites and the demo: run an example workflow in the real n8n and
 * check the outcome in the emulator's own store (node:assert; a failed check throws).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import { describeRun, loadWorkflow, nodeOutput, pairedIndex, type ExecutionResult } from './n8n';
import { EXAMPLES, exampleWorkflow, type Stack } from './stack';

export interface ScenarioSummary {
	workflowId: string;
	datasetId: string;
	run: ExecutionResult;
	/** Time n8n spent in the execution (startedAt..stoppedAt). */
	executionMs: number;
	/** Wall time including the `n8n execute` process start. */
	wallMs: number;
}

function executionMs(run: ExecutionResult): number {
	if (!run.startedAt || !run.stoppedAt) return NaN;
	return Date.parse(run.stoppedAt) - Date.parse(run.startedAt);
}

/** The five images of example 00: public HTTPS URLs from Scale's SDK tests (tests/helpers.py). */
export const FIRST_APPEND_IMAGES = ['airplane', 'arctichare', 'baboon', 'barbara', 'cat'].map(
	(name) => ({
		name,
		url: `https://github.com/scaleapi/nucleus-python-client/raw/master/tests/testdata/${name}.jpeg`,
	}),
);

/**
 * Example 00 as the README's first steps run it, unchanged: Dataset → Create makes a dataset,
 * the five public images are appended (Wait for Completion on) and all leave the IF's true
 * branch. The emulator does not read non-loopback URLs, so it stores them as sent.
 */
export async function runFirstAppendExample(
	s: Stack,
): Promise<ScenarioSummary & { datasetName: string }> {
	const { emu, n8n } = s;
	const wf = await loadWorkflow(EXAMPLES.firstAppend);
	assert.ok(wf.id);
	await n8n.importWorkflow(wf);
	const t0 = Date.now();
	const run = await n8n.execute(wf.id);
	const wallMs = Date.now() - t0;
	assert.equal(run.status, 'success', describeRun(run));

	const created = nodeOutput(run, 'Create dataset');
	assert.equal(created.length, 1);
	const datasetId = String(created[0].json.dataset_id);
	const datasetName = String(created[0].json.name);
	assert.match(datasetName, /^n8n first append \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

	const results = nodeOutput(run, 'Append to Nucleus');
	assert.deepEqual(
		results.map((r) => [r.json.reference_id, r.json.outcome, r.json.succeeded, pairedIndex(r)]),
		FIRST_APPEND_IMAGES.map((img, i) => [`first-append-${img.name}`, 'appended', true, i]),
	);
	assert.equal(nodeOutput(run, 'Succeeded?', 0).length, 5);
	assert.equal(nodeOutput(run, 'Succeeded?', 1).length, 0);

	assert.equal(emu.itemCount(datasetId), 5);
	FIRST_APPEND_IMAGES.forEach((img, i) => {
		const item = emu.getItem(datasetId, `first-append-${img.name}`);
		assert.ok(item, img.name);
		assert.equal(item.image_url, img.url);
		assert.deepEqual(item.metadata, {
			subject: img.name === 'airplane' ? 'vehicle' : img.name === 'barbara' ? 'person' : 'animal',
			position: i + 1,
		});
	});
	return { workflowId: wf.id, datasetId, datasetName, run, executionMs: executionMs(run), wallMs };
}

/**
 * Example 1: 1,000 generated items (s3:// and https://, metadata from the other fields) appended
 * as one async job, waited for; the IF node splits succeeded and failed items. Every 100th image
 * is on a host under .invalid, which the emulator fails.
 */
export async function runRemoteAsyncExample(
	s: Stack,
	datasetName = 'e2e-remote-async',
): Promise<
	ScenarioSummary & { appended: number; failed: number; jobId: string; jobStatus: string }
> {
	const { emu, n8n } = s;
	const datasetId = emu.createDataset(datasetName);
	const wf = await exampleWorkflow(n8n, EXAMPLES.remoteAsync, { datasetId });
	await n8n.importWorkflow(wf);
	const t0 = Date.now();
	const run = await n8n.execute(wf.id);
	const wallMs = Date.now() - t0;
	assert.equal(run.status, 'success', describeRun(run));

	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 1000, 'one result per input item');
	const appended = nodeOutput(run, 'Succeeded?', 0);
	const failed = nodeOutput(run, 'Succeeded?', 1);
	assert.equal(appended.length, 990);
	assert.equal(failed.length, 10);
	assert.deepEqual(
		failed.map((i) => i.json.reference_id).sort(),
		Array.from({ length: 10 }, (_, k) => `img-${String((k + 1) * 100).padStart(4, '0')}`),
	);
	for (const item of failed) {
		assert.equal(item.json.outcome, 'failed');
		assert.equal(item.json.succeeded, false);
		assert.match(String(item.json.error_message), /host not found|could not fetch/i);
	}
	for (const item of appended) {
		assert.equal(item.json.outcome, 'appended');
		assert.equal(item.json.succeeded, true);
	}
	// Result items pair with their input items, in input order.
	results.forEach((item, i) => assert.equal(pairedIndex(item), i));

	// The emulator holds exactly the succeeded items, with their metadata.
	assert.equal(emu.itemCount(datasetId), 990);
	const stored = emu.getItem(datasetId, 'img-0007');
	assert.ok(stored, 'img-0007 stored');
	assert.equal(stored.image_url, 's3://demo-bucket/images/0007.jpg');
	assert.deepEqual(stored.metadata, { camera: 'right', split: 'train', frame: 7 });
	assert.equal(emu.getItem(datasetId, 'img-0100'), undefined);
	const jobs = emu.listJobs().filter((j) => j.dataset_id === datasetId);
	assert.equal(jobs.length, 1, 'one async job');
	assert.equal(results[0].json.job_id, jobs[0].job_id);
	// The job ended Errored_Partial; only the items that failed carry that status.
	assert.equal(jobs[0].status, 'Errored_Partial');
	for (const item of failed) assert.equal(item.json.job_status, jobs[0].status);
	for (const item of appended) assert.equal(item.json.job_status, undefined);

	return {
		workflowId: wf.id,
		datasetId,
		run,
		executionMs: executionMs(run),
		wallMs,
		appended: appended.length,
		failed: failed.length,
		jobId: jobs[0].job_id,
		jobStatus: jobs[0].status,
	};
}

/**
 * Example 2: 12 PNGs are made, written to disk and read back by n8n's Read/Write Files from Disk
 * node (binary data in n8n's `expectedMode` storage), then appended as local files; each stored
 * image must have the bytes (sha256) of the file on disk.
 */
export async function runLocalFilesExample(
	s: Stack,
	expectedMode: string,
	datasetName = `e2e-local-${expectedMode}`,
): Promise<ScenarioSummary & { files: number; bytes: number; jobs: number; requests: number }> {
	const { emu, n8n } = s;
	const datasetId = emu.createDataset(datasetName);
	const folder = path.join(n8n.filesDir, `local-${expectedMode}`);
	const wf = await exampleWorkflow(n8n, EXAMPLES.localFiles, { datasetId, folder });
	await n8n.importWorkflow(wf);
	const before = emu.stats();
	const t0 = Date.now();
	const run = await n8n.execute(wf.id);
	const wallMs = Date.now() - t0;
	assert.equal(run.status, 'success', describeRun(run));
	const requests =
		emu.stats().appendRequestsByForm.multipartBatch - before.appendRequestsByForm.multipartBatch;

	const read = nodeOutput(run, 'Read Files from Disk');
	assert.equal(read.length, 12);
	const binary = read[0].binary?.data as { id?: string } | undefined;
	assert.ok(binary?.id, 'binary data stored by id, not inline');
	assert.ok(
		String(binary.id).startsWith(expectedMode),
		`binary data id ${String(binary.id)} should be in ${expectedMode} mode`,
	);

	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 12);
	results.forEach((r, i) => {
		assert.equal(r.json.outcome, 'appended', JSON.stringify(r.json));
		assert.equal(pairedIndex(r), i);
	});
	// The current protocol: 12 images as batches of at most 10 to append?async=1, a job per request.
	const jobs = new Set(results.map((r) => String(r.json.job_id))).size;
	assert.equal(requests, 2, 'two batched requests (10 + 2 images)');
	assert.equal(jobs, 2);

	const files = (await readdir(folder)).filter((f) => f.endsWith('.png')).sort();
	assert.equal(files.length, 12);
	assert.equal(emu.itemCount(datasetId), 12);
	let bytes = 0;
	for (const file of files) {
		const content = await readFile(path.join(folder, file));
		bytes += content.length;
		const item = emu.getItem(datasetId, file);
		assert.ok(item?.image, `${file} stored with an uploaded image`);
		assert.equal(item.image.bytes, content.length);
		assert.equal(item.image.sha256, createHash('sha256').update(content).digest('hex'), file);
		assert.equal(item.image.contentType, 'image/png');
		assert.deepEqual(item.metadata, { file_name: file, source: 'n8n Read/Write Files from Disk' });
	}
	return {
		workflowId: wf.id,
		datasetId,
		run,
		executionMs: executionMs(run),
		wallMs,
		files: files.length,
		bytes,
		jobs,
		requests,
	};
}
