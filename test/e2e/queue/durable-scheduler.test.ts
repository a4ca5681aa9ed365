/**
 * End to end: the Scale Nucleus Trigger under n8n's durable scheduler (n8n 2.33+), in queue mode.
 * There each poll is a durable schedule occurrence run on main: it may run more than once, it is
 * abandoned (its result discarded, its cursor not advanced) when it runs past
 * N8N_SCHEDULER_POLL_TIMEOUT, and with durable cursors the node's static data is committed in the
 * same transaction as the execution it produced. Whatever the scheduler does, each finished job
 * must start exactly one execution.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { cleanupWorkRoot, delay, nodeOutput } from '../n8n';
import { EXAMPLES, exampleWorkflow } from '../stack';
import { startQueueStack, type QueueStack } from './stack';
import { storedExecution } from './workflows';

/** n8n's poll timeout here; the node's budget is derived from it (see getPollBudgetMs below). */
const POLL_TIMEOUT_S = 10;

let q: QueueStack;
let datasetId: string;
let workflowId: string;

before(async () => {
	q = await startQueueStack({
		workers: 1,
		env: {
			N8N_SCHEDULER_ENABLED: 'true',
			N8N_SCHEDULER_POLL_TRIGGERS_ENABLED: 'true',
			N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true',
			N8N_POLLER_DURABLE_CURSORS_ENABLED: 'true',
			N8N_SCHEDULER_POLL_TIMEOUT: String(POLL_TIMEOUT_S),
			// Occurrences are materialised and claimed every few seconds instead of every 10 and 5.
			N8N_SCHEDULER_MATERIALIZATION_INTERVAL: '2',
			N8N_SCHEDULER_EXECUTOR_INTERVAL: '1',
		},
	});
	datasetId = q.emu.createDataset('durable-trigger');
	const wf = await exampleWorkflow(q.main, EXAMPLES.trigger, { datasetId });
	await q.main.importWorkflow(wf);
	await q.main.publishWorkflow(wf.id);
	workflowId = wf.id;
	await q.start();
});

after(async () => {
	await q?.close();
	await cleanupWorkRoot();
});

function jobListRequests(): number {
	return Object.entries(q.emu.stats().byRoute)
		.filter(([route]) => /^POST \/?jobs/.test(route))
		.reduce((sum, [, n]) => sum + n, 0);
}

async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 180_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await probe())) {
		if (Date.now() > deadline)
			assert.fail(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await delay(500);
	}
}

/** Every job the trigger emitted, with the execution that carried it, oldest execution first. */
async function emitted(): Promise<Array<{ execution: string; jobId: string }>> {
	const out: Array<{ execution: string; jobId: string }> = [];
	for (const id of await q.executionIds(workflowId)) {
		const run = await storedExecution(q, id);
		for (const item of nodeOutput(run, 'When a Nucleus job finishes')) {
			out.push({ execution: id, jobId: String(item.json.job_id) });
		}
	}
	return out;
}

/** Jobs that finish with one of their two items failed (so the trigger reads their errors). */
async function finishJobs(count: number, tag: string): Promise<string[]> {
	const ids: string[] = [];
	for (let k = 0; k < count; k++) {
		const job = q.emu.createJob(datasetId, [
			{ reference_id: `${tag}-${k}-ok`, image_url: `s3://bucket/${tag}-${k}.jpg` },
			{ reference_id: `${tag}-${k}-bad`, image_url: `https://gone-${tag}-${k}.invalid/x.jpg` },
		]);
		await q.emu.finishJob(job.job_id);
		ids.push(job.job_id);
	}
	return ids;
}

async function pollsPass(n: number): Promise<void> {
	const target = jobListRequests() + n;
	await waitFor(`${n} more polls`, () => jobListRequests() >= target);
}

/** The trigger's durable cursor as n8n stored it ('' before there is one). */
async function cursorText(): Promise<string> {
	const rows = await q.pg.query(
		`SELECT cursor::text FROM poller_state WHERE "workflowId" = '${workflowId}'`,
	);
	assert.ok(rows.length <= 1, 'one durable cursor for the trigger');
	return rows[0]?.join('|') ?? '';
}

function mainLog(): Promise<string> {
	return q.main.serverLog();
}

function assertEachOnce(all: Array<{ jobId: string }>, expected: string[]) {
	const counts = new Map<string, number>();
	for (const e of all) counts.set(e.jobId, (counts.get(e.jobId) ?? 0) + 1);
	assert.deepEqual([...counts.keys()].sort(), [...expected].sort());
	for (const [jobId, n] of counts) assert.equal(n, 1, `job ${jobId} emitted ${n} times`);
}

const finished: string[] = [];

test('durable 1: each finished job starts exactly one execution, on a worker, over several polls', async () => {
	// The starting point is the first scheduled poll's: the poll n8n runs at activation keeps no
	// state under the durable scheduler, so wait until the durable cursor holds one.
	await waitFor('the durable cursor', async () => (await cursorText()).includes('initializedAt'));
	assert.deepEqual(await emitted(), []);
	finished.push(...(await finishJobs(1, 'first')));
	await waitFor('the job emitted', async () => (await emitted()).length >= 1);
	await pollsPass(1);
	const all = await emitted();
	assertEachOnce(all, finished);
	for (const e of all)
		assert.ok(q.workerOf(e.execution), `execution ${e.execution} ran on a worker`);
	// The node's state is in n8n's durable cursor (committed with the execution), not only in the
	// workflow's static data, and it records the emitted job.
	const cursor = await cursorText();
	assert.ok(cursor.includes(finished[0]), `cursor ${cursor} records the job`);
	assert.doesNotMatch(
		await mainLog(),
		/durable poll cursors stay disabled|cannot take over poll triggers/,
	);
});

test('durable 2: a poll with more work than its budget finishes in time and leaves the rest for the next', async () => {
	// 20 jobs whose errors each take 2.5 s to read, 4 at a time: 12.5 s of reading, past the 10 s
	// timeout after which n8n would abandon the poll (and emit nothing, poll after poll). The node
	// stops starting reads at 60% of getPollBudgetMs() (10 s - 5 s margin = 5 s here).
	q.emu.setFaults({ rateSlow: 1, slowMs: 2500, routes: /\/job\/[^/]+\/errors$/ });
	try {
		const batch = await finishJobs(20, 'budget');
		finished.push(...batch);
		await waitFor(
			'all 20 jobs emitted',
			async () => (await emitted()).length >= finished.length,
			300_000,
		);
	} finally {
		q.emu.resetFaults();
	}
	assertEachOnce(await emitted(), finished);
	const log = await mainLog();
	assert.match(log, /job\(s\) left for the next poll \(poll time budget reached\)/);
	assert.doesNotMatch(log, /Poll exceeded its timeout and was abandoned/);
});

test('durable 3: an abandoned poll advances nothing; the job is emitted once by a later poll', async () => {
	// The job list answers only after 12 s, past the 10 s poll timeout: n8n abandons the poll.
	q.emu.setFaults({ rateSlow: 1, slowMs: 12_000, routes: /\/jobs\/?$/ });
	let abandonedBefore = 0;
	const cursorBefore = await cursorText();
	try {
		abandonedBefore = (
			(await mainLog()).match(/Poll exceeded its timeout and was abandoned/g) ?? []
		).length;
		finished.push(...(await finishJobs(1, 'abandoned')));
		await waitFor('an abandoned poll', async () => {
			const n = ((await mainLog()).match(/Poll exceeded its timeout and was abandoned/g) ?? [])
				.length;
			return n > abandonedBefore;
		});
		// Let the abandoned poll's own requests end (their answers are discarded by n8n).
		await delay(4000);
		assertEachOnce(await emitted(), finished.slice(0, -1));
		assert.equal(await cursorText(), cursorBefore, 'the abandoned poll left the cursor as it was');
	} finally {
		q.emu.resetFaults();
	}
	// n8n backs off after the timeout, then polls again.
	await waitFor(
		'the job emitted after the abandoned poll',
		async () => (await emitted()).length >= finished.length,
		300_000,
	);
	await pollsPass(1);
	assertEachOnce(await emitted(), finished);
});
