/**
 * `POST jobs/` filters (routes/jobs.ts) and the control API's datasets, jobs, items and stats (control.ts).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator, type Emulator } from '..';
import { type Res, call } from './client';

describe('emulator: POST jobs/ filters and control-created jobs', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	test('filters by dataset, job type, show_completed, dates (inclusive days) and limit; newest first', async () => {
		const a = emu.createDataset('A');
		const b = emu.createDataset('B');
		const j1 = emu.createJob(a, [], { status: 'Completed', createdAt: '2024-01-10T08:00:00Z' });
		const j2 = emu.createJob(a, [], {
			status: 'Running',
			jobType: 'metadataUpdate',
			createdAt: '2024-01-15T08:00:00Z',
		});
		const j3 = emu.createJob(b, [], {
			status: 'Errored_Partial',
			createdAt: '2024-01-20T23:30:00Z',
		});
		const ids = (r: Res): string[] => r.json.map((j: { job_id: string }) => j.job_id);
		const list = (body: Record<string, unknown>): Promise<Res> =>
			call(emu, 'POST', 'jobs/', {
				dataset_id: null,
				from_date: null,
				to_date: null,
				job_types: [],
				limit: 50000,
				show_completed: false,
				...body,
			});

		assert.deepEqual(ids(await list({ dataset_id: a })), [j2.job_id]);
		assert.deepEqual(ids(await list({ dataset_id: a, show_completed: true })), [
			j2.job_id,
			j1.job_id,
		]);
		assert.deepEqual(
			ids(await list({ dataset_id: a, show_completed: true, job_types: ['uploadDatasetItems'] })),
			[j1.job_id],
		);
		assert.deepEqual(
			ids(await list({ show_completed: true, from_date: '2024-01-12', to_date: '2024-01-20' })),
			[j3.job_id, j2.job_id],
		);
		assert.deepEqual(ids(await list({ show_completed: true, to_date: '2024-01-10' })), [j1.job_id]);
		assert.deepEqual(ids(await list({ show_completed: true, limit: 1 })), [j3.job_id]);
		const first = (await list({ dataset_id: b })).json[0];
		assert.deepEqual(first, {
			job_id: j3.job_id,
			job_last_known_status: 'Errored_Partial',
			job_type: 'uploadDatasetItems',
			job_creation_time: '2024-01-20T23:30:00.000Z',
			dataset_id: b,
		});
		assert.equal((await list({ limit: 50001 })).status, 400);
		assert.equal((await list({ from_date: 'yesterday-ish' })).status, 400);
	});

	test('control API: datasets, jobs (hold, finish, status), items, stats', async () => {
		const ds = (await call(emu, 'POST', '/__control/datasets', { name: 'ctl' })).json
			.dataset_id as string;
		assert.match(ds, /^ds_/);
		const created = await call(emu, 'POST', '/__control/jobs', {
			dataset_id: ds,
			items: [
				{ reference_id: 'c1', image_url: 'https://a.example.com/1.jpg', metadata: {} },
				{ reference_id: 'c2', image_url: 'https://x.invalid/2.jpg', metadata: {} },
			],
			hold: true,
		});
		assert.equal(created.status, 200);
		const jobId: string = created.json.job_id;
		assert.equal((await call(emu, 'GET', `job/${jobId}`)).json.status, 'Queued');
		const fin = await call(emu, 'POST', `/__control/jobs/${jobId}/finish`);
		assert.equal(fin.json.status, 'Errored_Partial');
		const items = await call(emu, 'GET', `/__control/datasets/${ds}/items`);
		assert.deepEqual(
			items.json.map((i: { reference_id: string }) => i.reference_id),
			['c1'],
		);

		const running = await call(emu, 'POST', '/__control/jobs', {
			dataset_id: ds,
			status: 'Running',
		});
		const rid: string = running.json.job_id;
		assert.equal((await call(emu, 'GET', `job/${rid}`)).json.status, 'Running');
		const cancelled = await call(emu, 'POST', `/__control/jobs/${rid}/status`, {
			status: 'Cancelled',
		});
		assert.equal(cancelled.json.status, 'Cancelled');
		assert.equal((await call(emu, 'GET', `job/${rid}`)).json.status, 'Cancelled');

		// GET job/{id}/errors keeps the most recent 10,000
		const many = Array.from({ length: 10_050 }, (_, i) => ({
			reference_id: `m${i}`,
			image_url: `ftp://x/${i}.jpg`,
		}));
		const big = emu.createJob(ds, many, { hold: true });
		const done = await emu.finishJob(big.job_id);
		assert.equal(done?.status, 'Errored_User');
		assert.equal(done?.errorCount, 10_050);
		const errs = (await call(emu, 'GET', `job/${big.job_id}/errors`)).json as string[];
		assert.equal(errs.length, 10_000);
		assert.equal(
			errs[0],
			'Failure when processing the image "ftp://x/50.jpg": unsupported scheme "ftp"',
		);
		assert.equal(
			errs[9_999],
			'Failure when processing the image "ftp://x/10049.jpg": unsupported scheme "ftp"',
		);

		const stats = await call(emu, 'GET', '/__control/stats');
		assert.ok(stats.json.requests > 0);
		assert.ok(stats.json.byRoute['GET job/:id'] >= 3);
		await call(emu, 'DELETE', '/__control/stats');
		assert.equal(emu.stats().requests, 0);
	});
});
