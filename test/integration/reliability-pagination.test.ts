/**
 * Every paginated read ends in bounded time and memory, whatever the server hands out: a new page
 * token forever, the same page again under a new token, pages that never shrink past the dataset's
 * size. Bounded by what the operation can need (the dataset's item count, repeated content, the
 * listing's limit), not only by a token seen before.
 *
 * The scripted servers stop paging by themselves after 30 pages, so that a node without
 * the bound finishes too (and the test fails on what it reported instead of hanging).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { runNode } from '../harness';
import {
	jobInfo,
	startScripted,
	type ScriptedNucleus,
	type ScriptedReply,
} from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** Pages a scripted server hands out before it gives up and ends the listing. */
const SERVER_GIVES_UP_AFTER = 30;
/** Requests a bounded listing of a 4-item dataset may make before it stops. */
const BOUNDED = 10;

async function rejection(promise: Promise<unknown>): Promise<Error> {
	try {
		await promise;
	} catch (error) {
		return error as Error;
	}
	assert.fail('expected the run to stop with an error');
}

type Pager = (page: number, body: IDataObject) => { items: IDataObject[] };

const item = (ref: string) => ({ reference_id: ref, image_url: `s3://bucket/${ref}.jpg` });

/** The same two items on every page, each under a new token. */
const samePageAgain: Pager = () => ({ items: [item('a'), item('b')] });
/** Full pages (as many items as asked for) of new items, far past the 4 items the dataset holds. */
const neverShrinks: Pager = (page, body) => ({
	items: Array.from({ length: Math.min(Number(body.pageSize), 10_000) }, (_, k) =>
		item(`p${page}-${k}`),
	),
});

/** Empty pages, each under a new token: the listing never moves on. */
const emptyPages: Pager = () => ({ items: [] });

/** ds_1 holds 4 items by its info and size; its item pages are `pager`'s, with a new token each. */
async function pagingServer(pager: Pager, extra?: (line: string) => ScriptedReply | undefined) {
	let pages = 0;
	return await startScripted((req) => {
		const more = extra?.(req.line);
		if (more) return more;
		if (req.line === 'GET dataset/ds_1/info') {
			return { json: { dataset_id: 'ds_1', name: 'street-scenes', length: 4 } };
		}
		if (req.line === 'GET dataset/ds_1/size') return { json: { count: 4 } };
		if (req.line === 'POST dataset/ds_1/itemsPage') {
			pages++;
			const last = pages >= SERVER_GIVES_UP_AFTER;
			return {
				json: {
					...pager(pages, req.json as IDataObject),
					nextPageToken: last ? null : `t${pages}`,
				},
			};
		}
		return { status: 404, json: { error: `no route ${req.line}` } };
	});
}

async function run(
	srv: ScriptedNucleus,
	parameters: INodeParameters,
	input?: INodeExecutionData[],
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: srv.credentials,
	});
}

for (const [kind, pager] of [
	['the same page again under a new token', samePageAgain],
	['pages of new items that never shrink past the dataset’s 4 items', neverShrinks],
	['empty pages under new tokens', emptyPages],
] as const) {
	describe(`a server that hands out ${kind}`, () => {
		test('Dataset Item → Get Many (Return All) stops with an error naming the dataset', async () => {
			const srv = await pagingServer(pager);
			try {
				const error = await rejection(
					run(srv, {
						resource: 'datasetItem',
						operation: 'getMany',
						datasetId: rl('ds_1'),
						returnAll: true,
					}),
				);
				assert.match(error.message, /ds_1/);
				assert.ok(
					srv.count('POST dataset/ds_1/itemsPage') <= BOUNDED,
					`${srv.count('POST dataset/ds_1/itemsPage')} pages read`,
				);
			} finally {
				await srv.close();
			}
		});

		test('Append’s Skip Items Already in Dataset stops before sending anything', async () => {
			const srv = await pagingServer(pager);
			try {
				const error = await rejection(
					run(
						srv,
						{
							resource: 'datasetItem',
							operation: 'append',
							datasetId: rl('ds_1'),
							referenceId: '={{ $json.ref }}',
							imageUrl: '={{ $json.url }}',
							waitForCompletion: false,
							options: { skipPresent: true },
						},
						[{ json: { ref: 'new-1', url: 's3://bucket/new-1.jpg' } }],
					),
				);
				assert.match(error.message, /ds_1/);
				assert.ok(
					srv.count('POST dataset/ds_1/itemsPage') <= BOUNDED,
					`${srv.count('POST dataset/ds_1/itemsPage')} pages read`,
				);
				assert.equal(srv.count(/signedUrl|append/), 0, 'nothing was sent');
			} finally {
				await srv.close();
			}
		});
	});
}

describe('the job list (POST jobs/) answers more entries than the limit asked for', () => {
	/** `POST jobs/` answers `limit + 1` completed jobs, whatever limit it was asked. */
	async function overfullServer() {
		return await startScripted((req) => {
			if (req.line !== 'POST jobs/') return { status: 404, json: { error: 'no route' } };
			const limit = Number((req.json as IDataObject).limit);
			const created = new Date().toISOString();
			return {
				json: Array.from({ length: limit + 1 }, (_, k) =>
					jobInfo(`job_${k}`, { status: 'Completed', created, datasetId: 'ds_1' }),
				),
			};
		});
	}

	test('Job → Get Many (Return All) never returns more jobs than the listing’s limit', async () => {
		const srv = await overfullServer();
		try {
			const asked = () => Number((srv.log[0].json as IDataObject).limit);
			let output: INodeExecutionData[][] | undefined;
			let error: Error | undefined;
			try {
				({ output } = await run(srv, { resource: 'job', operation: 'getMany', returnAll: true }));
			} catch (e) {
				error = e as Error;
			}
			if (error) {
				assert.match(error.message, /POST jobs\//, 'an error names the listing');
			} else {
				assert.ok(
					output![0].length <= asked(),
					`${output![0].length} jobs returned for a limit of ${asked()}`,
				);
			}
		} finally {
			await srv.close();
		}
	});
});
