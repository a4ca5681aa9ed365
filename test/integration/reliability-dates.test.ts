/**
 * Dates are read the way the user meant them, whatever zone the n8n host runs in:
 * - a date-time without a zone (what n8n's date picker gives) is in the workflow's time zone;
 * - epoch milliseconds (`{{ $now.toMillis() }}`) are a date-time too;
 * - a date outside what a JavaScript date holds gets a clear message naming the field;
 * - a job creation time that Nucleus sends without a zone is read as UTC (the assumption the README
 *   states), in Job → Get Many's window and in the trigger's output.
 *
 * The host zone of this test process is set to America/Los_Angeles, and the workflow's to
 * Asia/Tokyo, so reading in the wrong zone shows on any machine.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { runNode, runPoll } from '../harness';
import {
	jobInfo,
	jobStatus,
	startScripted,
	type ScriptedNucleus,
} from '../harness/scripted-nucleus';

// Node reads TZ again when it is assigned: every Date below runs in Los Angeles time.
process.env.TZ = 'America/Los_Angeles';

const WORKFLOW_ZONE = 'Asia/Tokyo'; // UTC+9, no daylight saving

/** Jobs created on 2026-11-30 at these UTC times, listed with a zone (Z). */
const JOBS = ['00:30', '01:30', '09:30', '10:30'].map((hm) => ({
	id: `job_${hm.replace(':', '')}`,
	created: `2026-11-30T${hm}:00.000Z`,
}));

async function listingServer(jobs: Array<{ id: string; created: string }>) {
	return await startScripted((req) => {
		if (req.line === 'POST jobs/') {
			return {
				json: jobs.map((j) =>
					jobInfo(j.id, { status: 'Completed', created: j.created, datasetId: 'ds_1' }),
				),
			};
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
}

async function getMany(srv: ScriptedNucleus, filters: INodeParameters) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters: { resource: 'job', operation: 'getMany', returnAll: true, filters },
		credentials: srv.credentials,
		workflowSettings: { timezone: WORKFLOW_ZONE },
		continueOnFail: true,
	});
}

const ids = (output: INodeExecutionData[][]) => output[0].map((i) => i.json.job_id ?? i.json.error);

describe('Job → Get Many: Created After / Created Before', () => {
	test('a date-time without a zone is in the workflow’s time zone (10:00 Tokyo = 01:00 UTC)', async () => {
		const srv = await listingServer(JOBS);
		try {
			const { output } = await getMany(srv, { createdAfter: '2026-11-30T10:00:00' });
			assert.deepEqual(ids(output), ['job_1030', 'job_0930', 'job_0130']);
		} finally {
			await srv.close();
		}
	});

	test('a window with both ends without a zone (09:00–19:00 Tokyo = 00:00–10:00 UTC)', async () => {
		const srv = await listingServer(JOBS);
		try {
			const { output } = await getMany(srv, {
				createdAfter: '2026-11-30T09:00:00',
				createdBefore: '2026-11-30T19:00:00',
			});
			assert.deepEqual(ids(output), ['job_0930', 'job_0130', 'job_0030']);
		} finally {
			await srv.close();
		}
	});

	for (const [what, value] of [
		['a number', Date.UTC(2026, 10, 30, 1, 0, 0)],
		['an expression giving a number', `={{ ${Date.UTC(2026, 10, 30, 1, 0, 0)} }}`],
	] as const) {
		test(`epoch milliseconds as ${what} are accepted`, async () => {
			const srv = await listingServer(JOBS);
			try {
				const { output } = await getMany(srv, { createdAfter: value });
				assert.deepEqual(ids(output), ['job_1030', 'job_0930', 'job_0130']);
			} finally {
				await srv.close();
			}
		});
	}

	for (const [what, value] of [
		['the last day a JavaScript date holds', '+275760-09-13T00:00:00Z'],
		['epoch milliseconds beyond it', 9e15],
	] as const) {
		test(`${what}: a clear message naming the field, nothing sent`, async () => {
			const srv = await listingServer(JOBS);
			try {
				const { output } = await getMany(srv, { createdBefore: value });
				const error = String(output[0][0].json.error);
				assert.match(error, /Created Before/);
				assert.match(error, /range|between|year/i, error);
				assert.equal(srv.log.length, 0, 'nothing was sent');
			} finally {
				await srv.close();
			}
		});
	}

	test('a creation time Nucleus sends without a zone is UTC', async () => {
		const srv = await listingServer([{ id: 'job_zoneless', created: '2026-11-30T10:30:00' }]);
		try {
			const { output } = await getMany(srv, {
				createdAfter: '2026-11-30T10:00:00Z',
				createdBefore: '2026-11-30T11:00:00Z',
			});
			assert.deepEqual(ids(output), ['job_zoneless']);
		} finally {
			await srv.close();
		}
	});
});

test('the trigger reads a creation time without a zone as UTC', async () => {
	let listing: Array<{ id: string; created: string }> = [];
	const srv = await startScripted((req) => {
		if (req.line === 'POST jobs/') {
			return {
				json: listing.map((j) => jobInfo(j.id, { status: 'Completed', created: j.created })),
			};
		}
		if (req.line === 'GET job/job_zoneless') return { json: jobStatus('job_zoneless') };
		if (req.line === 'GET job/job_zoneless/errors') return { json: [] };
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
	try {
		const staticData: IDataObject = {};
		const poll = async () =>
			await runPoll({
				node: new ScaleNucleusTrigger(),
				parameters: { watch: 'all' },
				credentials: srv.credentials,
				mode: 'trigger',
				staticData,
				workflowSettings: { timezone: WORKFLOW_ZONE },
			});
		await poll();
		const created = new Date(Date.now() - 60_000).toISOString().slice(0, 19); // no zone
		listing = [{ id: 'job_zoneless', created }];
		const result = await poll();
		assert.ok(result, 'the finished job is emitted');
		assert.equal(result[0][0].json.created_at, `${created}.000Z`);
	} finally {
		await srv.close();
	}
});
