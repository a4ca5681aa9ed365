/**
 * The declared cause of a failed request (nodes/shared/transport/failureCause.ts), as a table: what
 * n8n's poll back-off will read from the error's `failure`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { declaredFailure } from '../../nodes/shared/transport/failureCause';
import { networkFailure, statusFailure } from '../../nodes/shared/transport/retryPolicy';

const answer = (status: number, retryAfter?: string) =>
	statusFailure({ status, contentType: 'application/json', text: '{}' }, retryAfter, 0);
const network = (code: string) =>
	networkFailure(Object.assign(new Error(`connect ${code}`), { code }));

describe('declaredFailure', () => {
	const cases: Array<[string, ReturnType<typeof answer>, boolean, unknown]> = [
		[
			'429 with Retry-After: 120',
			answer(429, '120'),
			false,
			{ cause: 'rate-limited', retryAfterMs: 120_000 },
		],
		['429 without Retry-After', answer(429), false, { cause: 'rate-limited' }],
		[
			'503 with Retry-After: 5',
			answer(503, '5'),
			false,
			{ cause: 'temporarily-unavailable', retryAfterMs: 5_000 },
		],
		['500', answer(500), false, { cause: 'temporarily-unavailable' }],
		['504', answer(504), false, { cause: 'temporarily-unavailable' }],
		['a refused connection', network('ECONNREFUSED'), false, { cause: 'temporarily-unavailable' }],
		['a dropped connection', network('ECONNRESET'), false, { cause: 'temporarily-unavailable' }],
		[
			'no answer in time',
			network('UND_ERR_HEADERS_TIMEOUT'),
			false,
			{ cause: 'temporarily-unavailable' },
		],
		['a host name that does not resolve', network('ENOTFOUND'), false, undefined],
		['401', answer(401), false, { cause: 'credential-invalid' }],
		['404', answer(404), false, { cause: 'configuration-invalid' }],
		['400', answer(400), false, undefined],
		['403', answer(403), false, undefined],
		['409', answer(409), false, undefined],
		['403 from the storage service', answer(403), true, undefined],
		['404 from the storage service', answer(404), true, undefined],
		['401 from the storage service', answer(401), true, undefined],
		['503 from the storage service', answer(503), true, { cause: 'temporarily-unavailable' }],
		['429 from the storage service', answer(429), true, { cause: 'rate-limited' }],
	];
	for (const [what, failure, presigned, expected] of cases) {
		test(what, () => {
			assert.deepEqual(declaredFailure(failure, presigned), expected);
		});
	}
});
