/**
 * End to end: the Scale Nucleus Trigger in a real `n8n start` (workflow published before start,
 * as n8n activates it), polling the emulator every minute (n8n's minimum). A job that finishes in
 * the emulator must start exactly one execution, carrying the job's status and errors.
 *
 * Observed from outside n8n: the test adds an HTTP Request node to the example workflow that
 * posts every trigger item, with the execution id, to a sink server in this process.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';

import { cleanupWorkRoot, delay, type WorkflowJson } from './n8n';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from './stack';

interface SinkPost {
	execution: string;
	job: Record<string, unknown>;
}

let stack: Stack;
let sink: Server;
let sinkUrl: string;
const posts: SinkPost[] = [];

before(async () => {
	sink = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			try {
				posts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SinkPost);
			} catch {
				posts.push({ execution: 'unparseable', job: {} });
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
	sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/jobs`;
	stack = await startStack({ label: 'trigger' });
});

after(async () => {
	await stack?.close();
	await new Promise<void>((resolve) => (sink ? sink.close(() => resolve()) : resolve()));
	await cleanupWorkRoot();
});

function jobListRequests(stack: Stack): number {
	const byRoute = stack.emu.stats().byRoute;
	return Object.entries(byRoute)
		.filter(([route]) => /^POST \/?jobs/.test(route))
		.reduce((sum, [, n]) => sum + n, 0);
}

async function waitFor<T>(
	what: string,
	timeoutMs: number,
	probe: () => T | undefined | false,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = probe();
		if (value !== undefined && value !== false) return value;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await delay(500);
	}
}

/** The example plus a "Report" HTTP Request node fed by the trigger, posting to the sink. */
function withReportNode(wf: WorkflowJson, triggerName: string): WorkflowJson {
	const report = {
		id: 'e2e00005-0000-4000-8000-0000000000ff',
		name: 'Report to test',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [220, 220] as [number, number],
		parameters: {
			method: 'POST',
			url: sinkUrl,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ execution: $execution.id, job: $json }) }}',
			options: {},
		},
	};
	const connections = structuredClone(wf.connections) as Record<
		string,
		{ main: Array<Array<Record<string, unknown>>> }
	>;
	connections[triggerName].main[0].push({ node: report.name, type: 'main', index: 0 });
	return { ...wf, nodes: [...wf.nodes, report], connections };
}

test('6: a job finishing in Nucleus starts exactly one execution with its status and errors', async () => {
	const { emu, n8n } = stack;
	const datasetId = emu.createDataset('e2e-trigger');
	const example = await exampleWorkflow(n8n, EXAMPLES.trigger, { datasetId });
	const wf = withReportNode(example, 'When a Nucleus job finishes');
	await n8n.importWorkflow(wf);
	await n8n.publishWorkflow(example.id);
	await n8n.start();

	// Activation runs one poll at once; it sets the trigger's starting point (no history emitted).
	await waitFor('the activation poll', 60_000, () => jobListRequests(stack) >= 1);
	const pollsBefore = jobListRequests(stack);
	assert.equal(posts.length, 0, 'nothing emitted at activation');

	// An upload job with 3 failing items out of 10 (hosts under .invalid).
	const items = Array.from({ length: 10 }, (_, k) => ({
		reference_id: `trig-${k}`,
		image_url: k % 4 === 1 ? `https://gone-${k}.invalid/x.jpg` : `s3://bucket/trig-${k}.jpg`,
		metadata: { k },
	}));
	const job = emu.createJob(datasetId, items);
	const finished = await emu.finishJob(job.job_id);
	assert.equal(finished?.status, 'Errored_Partial');
	assert.equal(emu.itemCount(datasetId), 7);

	// The next scheduled poll (at most a minute away, plus slack) emits it.
	const first = await waitFor('an execution for the finished job', 150_000, () => posts[0]);
	assert.equal(first.job.job_id, job.job_id);
	assert.equal(first.job.status, 'Errored_Partial');
	assert.equal(first.job.succeeded, false);
	assert.equal(first.job.final, true);
	assert.equal(first.job.dataset_id, datasetId);
	assert.equal(first.job.error_count, 3);
	const errors = first.job.errors as string[];
	assert.equal(errors.length, 3);
	// Job errors quote the failing image URL, as Nucleus's do.
	for (const k of [1, 5, 9]) {
		const url = `https://gone-${k}.invalid/x.jpg`;
		assert.ok(
			errors.some((e) => e.includes(`"${url}"`)),
			`an error quotes ${url}: ${JSON.stringify(errors)}`,
		);
	}

	// One more poll must not start the workflow again for the same job.
	const pollsAtEmit = jobListRequests(stack);
	assert.ok(pollsAtEmit > pollsBefore);
	await waitFor('the following poll', 90_000, () => jobListRequests(stack) > pollsAtEmit);
	await delay(5_000);
	assert.equal(
		posts.length,
		1,
		`posts: ${JSON.stringify(posts.map((p) => [p.execution, p.job.job_id]))}`,
	);
	assert.equal(new Set(posts.map((p) => p.execution)).size, 1, 'exactly one execution');
});
