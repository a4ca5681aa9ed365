/**
 * Truthful outcomes, both ways.
 * - An error item for a write whose answer was lost says that the write may have been applied (as
 *   the node's thrown error does), never only "could not reach Nucleus": Update Metadata, Dataset →
 *   Delete, a local Append batch.
 * - A synchronous Update Metadata that Nucleus answered with a 2xx but without counts (the answer's
 *   shape is not public) does not send its items down the failure branch: no `succeeded: false`,
 *   no `unconfirmed`, when the update was in fact applied.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { makeBinaryItem, runNode } from '../harness';
import {
	startScripted,
	type ScriptedNucleus,
	type ScriptedReply,
} from '../harness/scripted-nucleus';

const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** Words that tell the user the write may have happened. */
const MAY_HAVE_APPLIED =
	/may (have been|already be|be) (applied|done|updated|deleted|stored|started|in the dataset)/i;

async function run(
	srv: ScriptedNucleus,
	parameters: INodeParameters,
	input: INodeExecutionData[] = [{ json: {} }],
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters: { ...parameters, options: { maxAttempts: 2, ...(parameters.options as object) } },
		input,
		credentials: srv.credentials,
		continueOnFail: true,
	});
}

const updateParams: INodeParameters = {
	resource: 'datasetItem',
	operation: 'updateMetadata',
	datasetId: { __rl: true, mode: 'id', value: '={{ $json.ds }}' },
	referenceId: '={{ $json.ref }}',
	metadataMode: 'allFields',
	excludeFields: 'ds,ref',
};

describe('an error item for a write whose answer was lost says it may have been applied', () => {
	const lost: Array<[string, ScriptedReply]> = [
		['the connection dropped after the request was read', 'drop'],
		['a 504 after the request was read', { status: 504, text: 'gateway timeout' }],
	];
	for (const [what, reply] of lost) {
		test(`Update Metadata: ${what}`, async () => {
			const srv = await startScripted(() => reply);
			try {
				const { output } = await run(srv, updateParams, [
					{ json: { ds: 'ds_1', ref: 'a', split: 'val' } },
				]);
				assert.match(String(output[0][0].json.error), MAY_HAVE_APPLIED);
			} finally {
				await srv.close();
			}
		});

		test(`Dataset → Delete: ${what}`, async () => {
			// The dataset's info is read first; only the DELETE loses its answer.
			const srv = await startScripted((req) =>
				req.method === 'DELETE'
					? reply
					: { json: { dataset_id: 'ds_1', name: 'street-scenes', length: 3 } },
			);
			try {
				const { output } = await run(srv, {
					resource: 'dataset',
					operation: 'delete',
					datasetId: rl('ds_1'),
				});
				assert.match(String(output[0][0].json.error), MAY_HAVE_APPLIED);
			} finally {
				await srv.close();
			}
		});
	}

	test('Append (local): a batch whose every attempt lost its answer', async () => {
		const srv = await startScripted(() => 'drop');
		try {
			const input = [await makeBinaryItem(Buffer.from('png'), 'a.png', 'image/png', { ref: 'a' })];
			const { output } = await run(
				srv,
				{
					resource: 'datasetItem',
					operation: 'append',
					mode: 'local',
					imageSource: 'binary',
					datasetId: rl('ds_1'),
					referenceId: '={{ $json.ref }}',
				},
				input,
			);
			assert.match(String(output[0][0].json.error), MAY_HAVE_APPLIED);
		} finally {
			await srv.close();
		}
	});
});

describe('Update Metadata (synchronous): a 2xx answer without counts', () => {
	/**
	 * Applies every metadata update (a merge, nucleus-api.md 8) and answers `{}`; item reads
	 * (`GET dataset/{id}/refloc/{ref}`, `POST dataset/{id}/itemsPage`) show what it holds.
	 */
	async function silentServer() {
		const held = new Map<string, Record<string, unknown>>();
		const key = (ds: string, ref: string) => `${ds}/${ref}`;
		const srv = await startScripted((req) => {
			const update = /^POST dataset\/(\w+)\/metadata$/.exec(req.line);
			if (update) {
				const body = req.json as {
					metadata: Array<{ reference_id: string; metadata: IDataObject }>;
				};
				for (const entry of body.metadata) {
					const k = key(update[1], entry.reference_id);
					held.set(k, { ...held.get(k), ...entry.metadata });
				}
				return { json: {} };
			}
			const read = /^GET dataset\/(\w+)\/refloc\/(.+)$/.exec(req.line);
			if (read) {
				const metadata = held.get(key(read[1], decodeURIComponent(read[2])));
				if (!metadata) return { status: 404, json: { error: 'no such item' } };
				return {
					json: {
						item: { reference_id: decodeURIComponent(read[2]), metadata },
						annotations: {},
					},
				};
			}
			const page = /^POST dataset\/(\w+)\/itemsPage$/.exec(req.line);
			if (page) {
				const items = [...held]
					.filter(([k]) => k.startsWith(`${page[1]}/`))
					.map(([k, metadata]) => ({ reference_id: k.split('/')[1], metadata }));
				return { json: { items, nextPageToken: null } };
			}
			return { status: 404, json: { error: `no route ${req.line}` } };
		});
		return srv;
	}

	for (const [what, rows] of [
		['one item', [['ds_1', 'a']]],
		[
			'three items in two datasets',
			[
				['ds_1', 'a'],
				['ds_2', 'b'],
				['ds_1', 'c'],
			],
		],
	] as const) {
		test(`${what}: the applied update is not reported as a failure`, async () => {
			const srv = await silentServer();
			try {
				const input = rows.map(([ds, ref]) => ({ json: { ds, ref, split: 'val' } }));
				const { output } = await run(srv, updateParams, input);
				assert.equal(output[0].length, rows.length);
				for (const [k, item] of output[0].entries()) {
					assert.equal(item.json.error, undefined, `output ${k} is not an error item`);
					assert.equal(item.json.reference_id, rows[k][1]);
					assert.notEqual(item.json.succeeded, false, `output ${k} is not routed as failed`);
					assert.notEqual(item.json.outcome, 'unconfirmed', `output ${k}`);
				}
			} finally {
				await srv.close();
			}
		});
	}
});
