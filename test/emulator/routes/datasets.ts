/**
 * Dataset routes (shapes as the Python SDK scaleapi/nucleus-python-client reads them in
 * `nucleus/__init__.py` and `nucleus/dataset.py`). Paths are relative to
 * /v1/nucleus. Unknown dataset ids are a 404 `{error, status_code}` (ASSUMPTION: status and body of the
 * real API are not public).
 */
import { findDataset, readBody, type Route } from '../context';
import { HttpError, send, truthy } from '../http';
import { apiItem } from '../store';

export const datasetRoutes: Route[] = [
	{
		// `NucleusClient.datasets`: array of {id, name, is_public}.
		method: 'GET',
		path: 'dataset/details',
		handle(ctx, { req, res }) {
			const list = [...ctx.store.datasets.values()].map((d) => ({
				id: d.id,
				name: d.name,
				is_public: false,
			}));
			send(req, res, 200, list);
		},
	},
	{
		// `NucleusClient.create_dataset`: {name, is_scene, use_privacy_mode, ...schemas} -> {dataset_id, ...}.
		method: 'POST',
		path: 'dataset/create',
		async handle(ctx, { req, res }) {
			const body = await readBody(ctx, req, { required: true });
			if (typeof body.name !== 'string' || body.name.trim() === '') {
				throw new HttpError(400, '"name" must be a non-empty string');
			}
			const ds = ctx.store.createDataset(body.name, {
				usePrivacyMode: truthy(body.use_privacy_mode),
				isScene: truthy(body.is_scene),
			});
			send(req, res, 200, { dataset_id: ds.id, name: ds.name });
		},
	},
	{
		// `NucleusClient.delete_dataset` (the SDK's tests/test_dataset.py): {"message": "Beginning dataset deletion..."}.
		method: 'DELETE',
		path: 'dataset/:id',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			ctx.store.datasets.delete(ds.id);
			send(req, res, 200, { message: `Beginning dataset deletion for ${ds.id}...` });
		},
	},
	{
		// `Dataset.info` (is_scene and use_privacy_mode are emulator extras).
		method: 'GET',
		path: 'dataset/:id/info',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			send(req, res, 200, {
				dataset_id: ds.id,
				name: ds.name,
				length: ds.items.size,
				model_run_ids: [],
				slice_ids: [],
				annotation_metadata_schema: null,
				item_metadata_schema: null,
				tags: [],
				is_scene: ds.is_scene,
				use_privacy_mode: ds.use_privacy_mode,
			});
		},
	},
	{
		method: 'GET',
		path: 'dataset/:id/name',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, { name: findDataset(ctx, params.id).name }),
	},
	{
		method: 'GET',
		path: 'dataset/:id/size',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, { count: findDataset(ctx, params.id).items.size }),
	},
	{
		method: 'GET',
		path: 'dataset/:id/is_scene',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, { is_scene: findDataset(ctx, params.id).is_scene }),
	},
	{
		method: 'GET',
		path: 'dataset/:id/use_privacy_mode',
		handle: (ctx, { req, res, params }) =>
			send(req, res, 200, { use_privacy_mode: findDataset(ctx, params.id).use_privacy_mode }),
	},
	{
		// `Dataset.items`: {dataset_items: [...]}.
		method: 'GET',
		path: 'dataset/:id/datasetItems',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			send(req, res, 200, { dataset_items: ctx.store.ordered(ds).map(apiItem) });
		},
	},
	{
		// `Dataset.items_generator` (`paginate_generator`): {pageToken, pageSize} -> {items, nextPageToken}; the token is opaque
		// (ASSUMPTION: an offset here).
		method: 'POST',
		path: 'dataset/:id/itemsPage',
		async handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			const body = await readBody(ctx, req);
			const size = body.pageSize ?? 100_000;
			if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 100_000) {
				throw new HttpError(400, '"pageSize" must be an integer between 1 and 100000');
			}
			let offset = 0;
			if (body.pageToken !== undefined && body.pageToken !== null && body.pageToken !== '') {
				const decoded =
					typeof body.pageToken === 'string'
						? Buffer.from(body.pageToken, 'base64url').toString('utf8')
						: '';
				const mm = /^o:(\d+)$/.exec(decoded);
				if (!mm) throw new HttpError(400, 'Invalid "pageToken"');
				offset = Number(mm[1]);
			}
			const all = ctx.store.ordered(ds);
			const page = all.slice(offset, offset + size);
			const next =
				offset + size < all.length ? Buffer.from(`o:${offset + size}`).toString('base64url') : null;
			send(req, res, 200, { items: page.map(apiItem), nextPageToken: next });
		},
	},
	{
		// `Dataset.refloc`: {item, annotations}; the SDK sends the ref percent-encoded
		// (`/` as %2F, `sanitize_string_args` in `nucleus/url_utils.py`), a raw `/` is taken as part of the ref too.
		method: 'GET',
		path: 'dataset/:id/refloc/*ref',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			const it = ds.items.get(params.ref);
			if (!it) {
				throw new HttpError(
					404,
					`Item with reference_id "${params.ref}" not found in dataset ${ds.id}`,
				);
			}
			send(req, res, 200, { item: apiItem(it), annotations: {} });
		},
	},
	{
		// `Dataset.delete_item`; ASSUMPTION: the answer body is not public.
		method: 'DELETE',
		path: 'dataset/:id/refloc/*ref',
		handle(ctx, { req, res, params }) {
			const ds = findDataset(ctx, params.id);
			if (!ctx.store.deleteItem(ds, params.ref)) {
				throw new HttpError(
					404,
					`Item with reference_id "${params.ref}" not found in dataset ${ds.id}`,
				);
			}
			send(req, res, 200, { deleted: true, dataset_id: ds.id, reference_id: params.ref });
		},
	},
];
