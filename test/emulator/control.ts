/**
 * Test control API under `<origin>/__control/...` (same Basic auth as the API; never faulted unless a
 * fault `routes` pattern matches it). Not part of Nucleus; each route mirrors an `Emulator` method:
 *
 *   GET|POST|PUT|DELETE faults        read / merge (JSON, `routes` as a regex string) / reset faults
 *   GET|DELETE stats                  read / reset EmulatorStats
 *   GET config                        {syncAppend, partialFailureStatus, holdNewJobs}
 *   POST|PUT config                   merge any of those keys (unknown key or value -> 400); -> config
 *   POST datasets {name, use_privacy_mode?, is_scene?}   GET datasets
 *   GET datasets/:id/items            stored items (StoredItem, with image bytes/sha256)
 *   GET datasets/:id/items/*ref       one stored item
 *   POST outage {ms, mode?: 'refuse'|'reset'}           (starts after this answer is sent)
 *   GET jobs                          every JobRecord
 *   POST jobs {dataset_id, items?, update?, hold?, job_type?, created_at?, status?}
 *   POST jobs/hold {hold}             hold new append jobs Queued (same as config holdNewJobs)
 *   GET jobs/:id                      the JobRecord
 *   POST jobs/:id/start | finish | status {status, final_error?}
 */
import { findDataset, findJob, readBody, type EmuContext, type Route } from './context';
import { HttpError, send, truthy } from './http';
import type { EmulatorConfig, Emulator } from './types';
import type { FaultInjector, Faults } from './faults';

function faultsJson(faults: FaultInjector): Record<string, unknown> {
	const f = faults.current;
	return { ...f, routes: f.routes ? f.routes.source : null };
}

/** Control routes, relative to /__control. */
export function controlRoutes(emu: Emulator, faults: FaultInjector): Route[] {
	const body = (ctx: EmuContext, req: Parameters<typeof readBody>[1], required = false) =>
		readBody(ctx, req, { required, unthrottled: true });
	const setConfig = async (ctx: EmuContext, { req, res }: Parameters<Route['handle']>[1]) => {
		const b = await body(ctx, req, true);
		let out: EmulatorConfig;
		try {
			out = emu.setConfig(b as Partial<EmulatorConfig>);
		} catch (e) {
			throw new HttpError(400, (e as Error).message);
		}
		send(req, res, 200, out);
	};
	const setFaults = async (ctx: EmuContext, { req, res }: Parameters<Route['handle']>[1]) => {
		const b = await body(ctx, req);
		try {
			faults.set(b as Partial<Faults>);
		} catch (e) {
			throw new HttpError(400, (e as Error).message);
		}
		send(req, res, 200, faultsJson(faults));
	};
	return [
		{
			method: 'GET',
			path: 'faults',
			handle: (_c, { req, res }) => send(req, res, 200, faultsJson(faults)),
		},
		{ method: 'POST', path: 'faults', handle: setFaults },
		{ method: 'PUT', path: 'faults', handle: setFaults },
		{
			method: 'DELETE',
			path: 'faults',
			handle(_c, { req, res }) {
				faults.reset();
				send(req, res, 200, faultsJson(faults));
			},
		},
		{
			method: 'GET',
			path: 'stats',
			handle: (_c, { req, res }) => send(req, res, 200, emu.stats()),
		},
		{
			method: 'DELETE',
			path: 'stats',
			handle(_c, { req, res }) {
				emu.resetStats();
				send(req, res, 200, emu.stats());
			},
		},
		{
			method: 'GET',
			path: 'config',
			handle: (_c, { req, res }) => send(req, res, 200, emu.config()),
		},
		{ method: 'POST', path: 'config', handle: setConfig },
		{ method: 'PUT', path: 'config', handle: setConfig },
		{
			method: 'POST',
			path: 'datasets',
			async handle(ctx, { req, res }) {
				const b = await body(ctx, req, true);
				if (typeof b.name !== 'string' || b.name === '') {
					throw new HttpError(400, '"name" must be a non-empty string');
				}
				const id = emu.createDataset(b.name, {
					usePrivacyMode: truthy(b.use_privacy_mode),
					isScene: truthy(b.is_scene),
				});
				send(req, res, 200, { dataset_id: id, name: b.name });
			},
		},
		{
			method: 'GET',
			path: 'datasets',
			handle(ctx, { req, res }) {
				const list = [...ctx.store.datasets.values()].map((d) => ({
					id: d.id,
					name: d.name,
					use_privacy_mode: d.use_privacy_mode,
					itemCount: d.items.size,
				}));
				send(req, res, 200, list);
			},
		},
		{
			method: 'GET',
			path: 'datasets/:id/items',
			handle: (ctx, { req, res, params }) =>
				send(req, res, 200, ctx.store.ordered(findDataset(ctx, params.id))),
		},
		{
			method: 'GET',
			path: 'datasets/:id/items/*ref',
			handle(ctx, { req, res, params }) {
				const it = findDataset(ctx, params.id).items.get(params.ref);
				if (!it) throw new HttpError(404, 'Item not found');
				send(req, res, 200, it);
			},
		},
		{
			method: 'POST',
			path: 'outage',
			async handle(ctx, { req, res }) {
				const b = await body(ctx, req, true);
				const ms = Number(b.ms);
				if (!Number.isFinite(ms) || ms <= 0)
					throw new HttpError(400, '"ms" must be a positive number');
				const mode = b.mode === 'reset' ? 'reset' : 'refuse';
				res.on('finish', () => void emu.outage(ms, mode));
				send(req, res, 200, { ok: true, ms, mode });
			},
		},
		{
			method: 'GET',
			path: 'jobs',
			handle: (ctx, { req, res }) => send(req, res, 200, ctx.jobs.list()),
		},
		{
			method: 'POST',
			path: 'jobs/hold',
			async handle(ctx, { req, res }) {
				const b = await body(ctx, req, true);
				emu.setHoldNewJobs(truthy(b.hold));
				send(req, res, 200, { hold: emu.config().holdNewJobs });
			},
		},
		{
			method: 'POST',
			path: 'jobs',
			async handle(ctx, { req, res }) {
				const b = await body(ctx, req, true);
				const dsId = b.dataset_id;
				if (dsId !== undefined && dsId !== null && typeof dsId !== 'string') {
					throw new HttpError(400, '"dataset_id" must be a string');
				}
				if (b.items !== undefined && !Array.isArray(b.items)) {
					throw new HttpError(400, '"items" must be a list');
				}
				const rec = emu.createJob(
					(dsId as string | null | undefined) ?? null,
					b.items as unknown[] | undefined,
					{
						update: truthy(b.update),
						hold: truthy(b.hold),
						jobType: typeof b.job_type === 'string' ? b.job_type : undefined,
						createdAt: typeof b.created_at === 'string' ? b.created_at : undefined,
						status: typeof b.status === 'string' ? b.status : undefined,
					},
				);
				send(req, res, 200, { ...ctx.jobs.infoBody(rec), record: rec });
			},
		},
		{
			method: 'GET',
			path: 'jobs/:id',
			handle: (ctx, { req, res, params }) => send(req, res, 200, findJob(ctx, params.id)),
		},
		{
			method: 'POST',
			path: 'jobs/:id/start',
			handle(ctx, { req, res, params }) {
				const rec = findJob(ctx, params.id);
				ctx.jobs.start(rec.job_id);
				send(req, res, 200, rec);
			},
		},
		{
			method: 'POST',
			path: 'jobs/:id/finish',
			async handle(ctx, { req, res, params }) {
				const rec = findJob(ctx, params.id);
				send(req, res, 200, await ctx.jobs.finish(rec.job_id));
			},
		},
		{
			method: 'POST',
			path: 'jobs/:id/status',
			async handle(ctx, { req, res, params }) {
				const rec = findJob(ctx, params.id);
				const b = await body(ctx, req, true);
				if (typeof b.status !== 'string') throw new HttpError(400, '"status" must be a string');
				const fe = typeof b.final_error === 'string' ? b.final_error : undefined;
				send(req, res, 200, ctx.jobs.forceStatus(rec.job_id, b.status, fe));
			},
		},
	];
}
