/**
 * Job error texts and the partial failure status (jobs.ts), and the runtime config route (control.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, SYNC_UPLOAD_REMOVED_MESSAGE, type Emulator } from '..';
import { call, ndjson, presignedUpload, postBatch, localItems, assertAsyncJob } from './client';

describe('emulator: job error texts, partial failure status, runtime config', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	const mixed = [
		{ reference_id: 'ok', image_url: 'https://img.example.com/ok.jpg', metadata: {} },
		{ reference_id: 'ftp', image_url: 'ftp://host/x.jpg', metadata: {} },
		{ reference_id: 'dead', image_url: 'https://cdn.bad.invalid/x.jpg', metadata: {} },
		{ reference_id: 'nourl', metadata: {} },
		{ reference_id: 'meta', image_url: 'https://img.example.com/m.jpg', metadata: 'nope' },
	];
	async function runPresigned(ds: string, items: unknown[]): Promise<any> {
		const requestId = await presignedUpload(emu, ds, ndjson(items));
		const j = await call(emu, 'POST', `dataset/${ds}/append?async=1`, { requestId, update: false });
		await emu.finishJob(assertAsyncJob(j, ds));
		return (await call(emu, 'GET', `job/${j.json.job_id}`)).json;
	}

	test('job errors quote the image URL in the public form, without a reference_id', async () => {
		const ds = emu.createDataset('texts');
		const final = await runPresigned(ds, mixed);
		assert.deepEqual((await call(emu, 'GET', `job/${final.job_id}/errors`)).json, [
			'Failure when processing the image "ftp://host/x.jpg": unsupported scheme "ftp"',
			'Failure when processing the image "https://cdn.bad.invalid/x.jpg": could not fetch image (host not found)',
			'Failure when processing the image "": missing image_url',
			'Failure when processing the image "https://img.example.com/m.jpg": metadata must be an object',
		]);
		assert.deepEqual(
			emu.listItems(ds).map((i) => i.reference_id),
			['ok'],
		);
	});

	test("partialFailureStatus: 'Errored_Partial' by default, 'Errored' when set; a job where every item failed stays Errored_User", async () => {
		const ds = emu.createDataset('partial');
		const byDefault = await runPresigned(ds, mixed);
		assert.equal(byDefault.status, 'Errored_Partial');
		assert.match(byDefault.message.final_error, /did not process correctly/);
		emu.setPartialFailureStatus('Errored');
		try {
			const ds2 = emu.createDataset('partial2');
			const errored = await runPresigned(ds2, mixed);
			assert.equal(errored.status, 'Errored');
			assert.match(errored.message.final_error, /did not process correctly/);
			assert.equal(
				(await call(emu, 'GET', `job/${errored.job_id}/info`)).json.job_last_known_status,
				'Errored',
			);
			const allBad = await runPresigned(ds2, [{ reference_id: 'b1', image_url: 'ftp://x/1.jpg' }]);
			assert.equal(allBad.status, 'Errored_User');
			const good = await runPresigned(ds2, [
				{ reference_id: 'g1', image_url: 'https://img.example.com/g.jpg' },
			]);
			assert.equal(good.status, 'Completed');
		} finally {
			emu.setPartialFailureStatus('Errored_Partial');
		}
		const other = await startEmulator({ partialFailureStatus: 'Errored' });
		try {
			const d = other.createDataset('opt');
			const rec = await other.finishJob(other.createJob(d, mixed, { hold: true }).job_id);
			assert.equal(rec?.status, 'Errored');
		} finally {
			await other.close();
		}
	});

	test('control config route: GET, POST/PUT merge, 400 for an unknown key or value', async () => {
		assert.deepEqual((await call(emu, 'GET', '/__control/config')).json, {
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
			holdNewJobs: false,
		});
		const set = await call(emu, 'POST', '/__control/config', {
			syncAppend: 'removed',
			partialFailureStatus: 'Errored',
		});
		assert.equal(set.status, 200);
		assert.deepEqual(set.json, {
			syncAppend: 'removed',
			partialFailureStatus: 'Errored',
			holdNewJobs: false,
		});
		assert.deepEqual(emu.config(), set.json);
		const ds = emu.createDataset('cfg');
		const removed = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [{ reference_id: 'a', image_url: 'https://a.example.com/1.jpg' }],
		});
		assert.equal(removed.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
		assert.equal((await runPresigned(ds, mixed)).status, 'Errored');

		const badMode = await call(emu, 'POST', '/__control/config', { syncAppend: 'sometimes' });
		assert.equal(badMode.status, 400);
		assert.match(badMode.json.error, /syncAppend must be one of job, removed, legacy/);
		const badStatus = await call(emu, 'POST', '/__control/config', {
			partialFailureStatus: 'Completed',
		});
		assert.equal(badStatus.status, 400);
		const badKey = await call(emu, 'POST', '/__control/config', { sync_append: 'job' });
		assert.equal(badKey.status, 400);
		assert.match(badKey.json.error, /unknown config key "sync_append"/);
		assert.deepEqual(emu.config(), set.json, 'unchanged by refused requests');

		const hold = await call(emu, 'PUT', '/__control/config', {
			holdNewJobs: true,
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
		});
		assert.deepEqual(hold.json, {
			syncAppend: 'job',
			partialFailureStatus: 'Errored_Partial',
			holdNewJobs: true,
		});
		const { items, images } = localItems(1, 'held');
		const jobId = assertAsyncJob(await postBatch(emu, ds, items, images), ds);
		await new Promise((r) => setTimeout(r, 50));
		assert.equal((await call(emu, 'GET', `job/${jobId}`)).json.status, 'Queued');
		await call(emu, 'POST', '/__control/config', { holdNewJobs: false });
		assert.equal((await emu.finishJob(jobId))?.status, 'Completed');
		assert.throws(() => emu.setConfig({ syncAppend: 'x' as never }), /syncAppend must be one of/);
	});
});
