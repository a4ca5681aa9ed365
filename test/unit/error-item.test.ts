/**
 * Error items (On Error → Continue) keep the shape n8n's error output takes, so they reach it with
 * their details in a real n8n (test/e2e/actions.test.ts runs example 4 there).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { INode } from 'n8n-workflow';

import { errorItem } from '../../nodes/ScaleNucleus/actions/errorItem';

const node: INode = {
	id: 'n1',
	name: 'Scale Nucleus',
	type: 'n8n-nodes-scale-nucleus.scaleNucleus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

test('an error item is {error, details} with the item as n8n numbers it, and no error property', () => {
	const item = errorItem(node, new Error('Item 3: Image URL is empty'), 3, {
		reference_id: 'img-3',
		field: 'Image URL',
	});
	assert.deepEqual(item.json, {
		error: 'Item 3: Image URL is empty',
		details: { item: 3, reference_id: 'img-3', field: 'Image URL' },
	});
	// n8n (WorkflowExecute handleNodeErrorOutput) sends an item to the error output by its json
	// only when it has no keys but these; an item with its own `error` property would have its json
	// replaced by { error } (normalizeNodeErrors), losing the details.
	assert.ok(Object.keys(item.json).every((k) => ['error', 'message', 'details'].includes(k)));
	assert.equal(item.error, undefined);
	assert.deepEqual(item.pairedItem, { item: 3 });
});
