/**
 * Route table of the API: each route module exports a list of `Route`s; `Router.match` finds the
 * handler and the stats key (`'GET job/:id'`, `'POST dataset/:id/append'`, `'POST jobs'`) without
 * reading or applying anything, so the key is known before faults and auth are decided.
 */
import type { Route } from './context';

interface Compiled {
	route: Route;
	segs: string[];
	/** The path as a stats key: `*name` shown as `:name`. */
	key: string;
}

export interface RouteMatch {
	route?: Route;
	params: Record<string, string>;
	/** e.g. 'GET dataset/:id/info'; for unknown paths the path itself (ids of dataset/job as `:id`). */
	key: string;
}

function matchPath(pattern: string[], segs: string[]): Record<string, string> | undefined {
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		const p = pattern[i];
		if (p.startsWith('*')) {
			if (i >= segs.length) return undefined;
			params[p.slice(1)] = segs.slice(i).join('/');
			return params;
		}
		if (i >= segs.length) return undefined;
		if (p.startsWith(':')) {
			if (segs[i] === '') return undefined;
			params[p.slice(1)] = segs[i];
		} else if (p !== segs[i]) return undefined;
	}
	return pattern.length === segs.length ? params : undefined;
}

export class Router {
	private readonly routes: Compiled[];

	/** Earlier routes win, so list literal paths (`dataset/details`) before `dataset/:id`. */
	constructor(routes: Route[]) {
		this.routes = routes.map((route) => ({
			route,
			segs: route.path.split('/'),
			key: route.path.replace(/\*/g, ':'),
		}));
	}

	/** `segs`: the decoded path segments after /v1/nucleus. */
	match(method: string, segs: string[]): RouteMatch {
		let pathOnly: { key: string } | undefined;
		for (const c of this.routes) {
			const params = matchPath(c.segs, segs);
			if (!params) continue;
			if (c.route.method === method) return { route: c.route, params, key: `${method} ${c.key}` };
			pathOnly ??= c;
		}
		if (pathOnly) return { params: {}, key: `${method} ${pathOnly.key}` };
		const generic = [...segs];
		if ((generic[0] === 'dataset' || generic[0] === 'job') && generic.length > 1)
			generic[1] = ':id';
		return { params: {}, key: `${method} ${generic.join('/')}` };
	}
}
