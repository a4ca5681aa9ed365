/**
 * The pre-2026 synchronous append forms (routes/append.ts) by syncAppend mode: taken as a job, removed, or answered with counts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import FormData from 'form-data';
import { startEmulator, SYNC_UPLOAD_REMOVED_MESSAGE, type AppendForm, type Emulator } from '..';
import {
	type Res,
	call,
	sha,
	seed,
	postForm,
	postBatch,
	localItems,
	assertAsyncJob,
} from './client';

describe('emulator: pre-2026 synchronous forms by syncAppend mode', () => {
	let emu: Emulator;
	before(async () => {
		emu = await startEmulator();
	});
	after(() => emu.close());

	const img = Buffer.from('legacy image bytes');
	type LegacyForm = Extract<AppendForm, 'legacyJson' | 'legacyItem' | 'legacyItems'>;
	/** One pre-2026 request per form, each with one item `ref`. */
	const send: Record<LegacyForm, (ds: string, ref: string) => Promise<Res>> = {
		legacyJson: (ds, ref) =>
			call(emu, 'POST', `dataset/${ds}/append`, {
				items: [
					{ reference_id: ref, image_url: `https://img.example.com/${ref}.jpg`, metadata: { ref } },
				],
				update: false,
			}),
		legacyItem: (ds, ref) => {
			const form = new FormData();
			form.append('item', JSON.stringify({ reference_id: ref, metadata: { ref }, update: false }), {
				contentType: 'application/json',
			});
			form.append('image', img, { filename: `${ref}.png`, contentType: 'image/png' });
			return postForm(emu, ds, form, '');
		},
		legacyItems: (ds, ref) =>
			postBatch(
				emu,
				ds,
				[{ reference_id: ref, image_url: `/tmp/${ref}.png`, metadata: { ref }, update: false }],
				[{ data: img, filename: encodeURIComponent(`/tmp/${ref}.png`) }],
				'',
			),
	};
	const forms = Object.keys(send) as LegacyForm[];

	test("'job' (the default): each form is taken into the async pipeline, one AsyncJob per request", async (t) => {
		assert.equal(emu.config().syncAppend, 'job');
		const ds = emu.createDataset('sync-job');
		// Held, so "not stored before the job runs" does not race the emulator's job queue on a busy machine.
		emu.setHoldNewJobs(true);
		t.after(() => emu.setHoldNewJobs(false));
		for (const form of forms) {
			emu.resetStats();
			const ref = `job-${form}`;
			const r = await send[form](ds, ref);
			const jobId = assertAsyncJob(r, ds);
			assert.equal(r.json.new_items, undefined, 'no counts');
			const s = emu.stats();
			assert.equal(s.jobsCreated, 1, form);
			assert.equal(s.appendItemsReceived, 1, form);
			assert.equal(s.appendRequestsByForm[form], 1, form);
			assert.equal(emu.getItem(ds, ref), undefined, `${form}: not stored before the job runs`);
			const rec = await emu.finishJob(jobId);
			assert.equal(rec?.status, 'Completed', form);
			assert.equal(rec?.appendForm, form);
			const it = emu.getItem(ds, ref);
			assert.deepEqual(it?.metadata, { ref });
			if (form === 'legacyJson') assert.equal(it?.image, undefined);
			else assert.equal(it?.image?.sha256, sha(img), form);
		}
		// several items in one request: still one job
		const many = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'm1', image_url: 'https://img.example.com/1.jpg' },
				{ reference_id: 'm2', image_url: 'https://bad.invalid/2.jpg' },
			],
			update: false,
		});
		const rec = await emu.finishJob(assertAsyncJob(many, ds));
		assert.equal(rec?.total, 2);
		assert.equal(rec?.status, 'Errored_Partial');
		assert.deepEqual(rec?.errors, [
			'Failure when processing the image "https://bad.invalid/2.jpg": could not fetch image (host not found)',
		]);
		// request-level checks still apply
		const jobs = emu.stats().jobsCreated;
		const dup = await call(emu, 'POST', `dataset/${ds}/append`, {
			items: [
				{ reference_id: 'd', image_url: 'https://a.example.com/1.jpg' },
				{ reference_id: 'd', image_url: 'https://a.example.com/2.jpg' },
			],
		});
		assert.equal(dup.status, 400);
		assert.match(dup.json.error, /Duplicate reference_id "d"/);
		assert.equal(emu.stats().jobsCreated, jobs);
	});

	test("'removed': each form is a 400 with the documented body; nothing stored, no job; the current forms still work", async () => {
		emu.setSyncAppend('removed');
		try {
			const ds = emu.createDataset('sync-removed');
			emu.resetStats();
			for (const form of forms) {
				const r = await send[form](ds, `removed-${form}`);
				assert.equal(r.status, 400, form);
				assert.deepEqual(r.json, {
					error:
						'Synchronous uploads are no longer supported. Use the asynchronous pipeline (append?async=1).',
					status_code: 400,
				});
				assert.equal(r.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
				assert.equal(emu.stats().appendRequestsByForm[form], 1, `${form} was recognised`);
			}
			// even an invalid legacy body gets the "removed" answer
			const dup = await call(emu, 'POST', `dataset/${ds}/append`, {
				items: [{ reference_id: 'x' }, { reference_id: 'x' }],
			});
			assert.equal(dup.json.error, SYNC_UPLOAD_REMOVED_MESSAGE);
			const s = emu.stats();
			assert.equal(s.jobsCreated, 0);
			assert.equal(s.appendItemsReceived, 0);
			assert.equal(emu.itemCount(ds), 0);
			const { items, images } = localItems(1, 'still');
			assert.equal(
				(await emu.finishJob(assertAsyncJob(await postBatch(emu, ds, items, images), ds)))?.status,
				'Completed',
			);
			await seed(emu, ds, [{ reference_id: 'remote', image_url: 'https://img.example.com/r.jpg' }]);
			assert.equal(emu.itemCount(ds), 2);
		} finally {
			emu.setSyncAppend('job');
		}
	});

	test("'legacy' (set by the control API): each form answers the v0.18.8 counts", async () => {
		const set = await call(emu, 'POST', '/__control/config', { syncAppend: 'legacy' });
		assert.equal(set.json.syncAppend, 'legacy');
		try {
			const ds = emu.createDataset('sync-legacy');
			emu.resetStats();
			for (const form of forms) {
				const r = await send[form](ds, `legacy-${form}`);
				assert.equal(r.status, 200, r.text);
				assert.deepEqual(r.json, {
					dataset_id: ds,
					new_items: 1,
					updated_items: 0,
					ignored_items: 0,
					upload_errors: 0,
					error_payload: [],
				});
				assert.deepEqual(
					emu.getItem(ds, `legacy-${form}`)?.metadata,
					{ ref: `legacy-${form}` },
					'stored at once',
				);
				const again = await send[form](ds, `legacy-${form}`);
				assert.equal(again.json.ignored_items, 1, form);
			}
			assert.equal(emu.stats().jobsCreated, 0);
			assert.deepEqual(emu.stats().appendRequestsByForm, {
				presigned: 0,
				multipartBatch: 0,
				legacyJson: 2,
				legacyItem: 2,
				legacyItems: 2,
			});
		} finally {
			emu.setSyncAppend('job');
		}
	});
});
