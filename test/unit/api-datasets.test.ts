/** How Dataset → Get reads a dataset's info and item count (shared/api/datasets.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { getDatasetInfo } from '../../nodes/shared/api/datasets';
import { UnexpectedAnswerError } from '../../nodes/shared/api/unexpected';
import type { NucleusClient } from '../../nodes/shared/transport';

describe('the item count of Dataset → Get', () => {
	/** A client whose answers come from a table by route; records the routes asked. */
	function stubClient(answers: Record<string, unknown>) {
		const asked: string[] = [];
		const client = {
			request: async (method: string, route: string) => {
				asked.push(`${method} ${route}`);
				return answers[route];
			},
		} as unknown as NucleusClient;
		return { client, asked };
	}

	test("the info's length when it is a whole number, else GET size; neither is an error", async () => {
		const direct = stubClient({ 'dataset/ds_a/info': { name: 'n', length: 12 } });
		assert.deepEqual(await getDatasetInfo(direct.client, 'ds_a'), {
			name: 'n',
			length: 12,
			item_count: 12,
		});
		assert.deepEqual(direct.asked, ['GET dataset/ds_a/info']);

		const fallback = stubClient({
			'dataset/ds_a/info': { name: 'n' },
			'dataset/ds_a/size': { count: 5 },
		});
		assert.equal((await getDatasetInfo(fallback.client, 'ds_a')).item_count, 5);
		assert.deepEqual(fallback.asked, ['GET dataset/ds_a/info', 'GET dataset/ds_a/size']);

		const neither = stubClient({
			'dataset/ds_a/info': { name: 'n', length: '12' },
			'dataset/ds_a/size': {},
		});
		await assert.rejects(getDatasetInfo(neither.client, 'ds_a'), (error: unknown) => {
			assert.ok(error instanceof UnexpectedAnswerError);
			assert.match(
				error.message,
				/^Nucleus did not say how many items dataset ds_a holds: it answered GET dataset\/ds_a\/size with an empty JSON object \(\{\}\)/,
			);
			return true;
		});
		// The info is checked as Dataset → Get checks it: an object with the dataset's name.
		await assert.rejects(getDatasetInfo(stubClient({}).client, 'ds_a'), (error: unknown) => {
			assert.ok(error instanceof UnexpectedAnswerError);
			assert.match(
				error.message,
				/^Nucleus answered GET dataset\/ds_a\/info with an empty body; expected the dataset's info/,
			);
			return true;
		});
		await assert.rejects(
			getDatasetInfo(stubClient({ 'dataset/ds_a/info': { length: 3 } }).client, 'ds_a'),
			/expected the dataset's info \(an object with its name\)/,
		);
	});
});
