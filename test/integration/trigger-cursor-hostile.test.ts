/**
 * The trigger's cursor against a job list it cannot fully trust: creation times it cannot read
 * (numbers, text that is no date), the same job listed twice with different statuses, and a status
 * answer that names another job. Old jobs are never emitted again once the record is full, a job is
 * judged by its freshest answer and never hidden, and one odd answer skips one job with a warning
 * instead of failing every poll.
 *
 * Runs poll() in a real n8n-core PollContext (test/harness runPoll), trigger mode, with the node's
 * static data kept between polls, against a scripted server (test/harness/scripted-nucleus.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject } from 'n8n-workflow';

import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { MAX_EMITTED } from '../../nodes/ScaleNucleusTrigger/state';
import { capturedLogEntries, runPoll } from '../harness';
import {
	jobInfo,
	jobStatus,
	startScripted,
	type ScriptedNucleus,
	type ScriptedReply,
} from '../harness/scripted-nucleus';

interface Listed {
	id: string;
	status: string;
	created?: unknown;
}

/**
 * A Nucleus whose `POST jobs/` answers `list()` (read at each poll) and whose `GET job/{id}` answers
 * `status(id)` (default: the last status the list gives the job).
 */
async function jobServer(
	list: () => Listed[],
	status?: (id: string) => ScriptedReply | undefined,
): Promise<ScriptedNucleus> {
	return await startScripted((req) => {
		if (req.line === 'POST jobs/') {
			return {
				json: list().map((j) => jobInfo(j.id, { status: j.status, created: j.created })),
			};
		}
		const m = /^job\/(\w+)(\/errors|\/info)?$/.exec(req.route);
		if (req.method === 'GET' && m) {
			const listed = list().filter((j) => j.id === m[1]);
			if (listed.length === 0) return { status: 404, json: { error: 'no such job' } };
			if (m[2] === '/errors') return { json: [] };
			const last = listed[listed.length - 1];
			if (m[2] === '/info')
				return { json: jobInfo(last.id, { status: last.status, created: last.created }) };
			return status?.(m[1]) ?? { json: jobStatus(last.id, last.status) };
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
}

async function poll(
	srv: ScriptedNucleus,
	staticData: IDataObject,
	parameters: IDataObject = { watch: 'all' },
): Promise<IDataObject[]> {
	const result = await runPoll({
		node: new ScaleNucleusTrigger(),
		parameters: parameters as never,
		credentials: srv.credentials,
		mode: 'trigger',
		staticData,
	});
	return result === null ? [] : result[0].map((item) => item.json);
}

describe('creation times the trigger cannot read', () => {
	const count = MAX_EMITTED + 5;
	for (const [what, created] of [
		['epoch milliseconds (numbers)', (k: number) => Date.now() - 3600_000 + k],
		['text that is not a date', () => 'recently'],
	] as const) {
		test(`${what}: once the record is full, no old job is emitted again`, async () => {
			const jobs: Listed[] = Array.from({ length: count }, (_, k) => ({
				id: `job_${String(k).padStart(5, '0')}`,
				status: 'Completed',
				created: created(k),
			}));
			const srv = await jobServer(() => jobs);
			try {
				const staticData: IDataObject = {};
				assert.deepEqual(await poll(srv, staticData), [], 'the first poll records, emits nothing');
				const again = await poll(srv, staticData);
				assert.deepEqual(
					again.map((j) => j.job_id),
					[],
					'the same finished jobs, listed again, are not new',
				);
			} finally {
				await srv.close();
			}
		});
	}
});

describe('a job listed twice with different statuses', () => {
	for (const order of [
		['Completed', 'Running'],
		['Running', 'Completed'],
	]) {
		test(`listed ${order.join(' then ')}, Completed by its own status: emitted once`, async () => {
			let listing: Listed[] = [];
			const srv = await jobServer(
				() => listing,
				(id) => ({ json: jobStatus(id, 'Completed') }),
			);
			try {
				const staticData: IDataObject = {};
				await poll(srv, staticData);
				listing = order.map((status) => ({
					id: 'job_x',
					status,
					created: new Date().toISOString(),
				}));
				const emitted = await poll(srv, staticData);
				assert.deepEqual(
					emitted.map((j) => [j.job_id, j.status]),
					[['job_x', 'Completed']],
				);
				assert.deepEqual(await poll(srv, staticData), [], 'and not again');
			} finally {
				await srv.close();
			}
		});
	}
});

describe('a status answer that names another job', () => {
	const watches: Array<[string, IDataObject]> = [
		['watching all jobs', { watch: 'all' }],
		['watching Specific Job IDs', { watch: 'jobIds', jobIds: 'job_a, job_b' }],
	];
	for (const [what, parameters] of watches) {
		test(`${what}: that job is skipped with a warning, the others are emitted`, async () => {
			let listing: Listed[] = [];
			const srv = await jobServer(
				() => listing,
				(id) => (id === 'job_a' ? { json: jobStatus('job_zzz', 'Completed') } : undefined),
			);
			try {
				const staticData: IDataObject = {};
				await poll(srv, staticData, parameters);
				const created = new Date().toISOString();
				listing = [
					{ id: 'job_a', status: 'Completed', created },
					{ id: 'job_b', status: 'Completed', created },
				];
				const logsBefore = capturedLogEntries.length;
				const emitted = await poll(srv, staticData, parameters);
				assert.deepEqual(
					emitted.map((j) => j.job_id),
					['job_b'],
				);
				const warnings = capturedLogEntries
					.slice(logsBefore)
					.filter((e) => e.level === 'warn' && /job_a/.test(e.message));
				assert.equal(warnings.length, 1, 'one warning names the skipped job');
			} finally {
				await srv.close();
			}
		});
	}
});
