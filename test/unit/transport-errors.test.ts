import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { formatSeconds } from '../../nodes/shared/transport/errors';

describe('formatSeconds (durations in error messages)', () => {
	test('whole seconds stay whole, tenths are kept, and a rounded-up fraction never reads "1.0 s"', () => {
		assert.equal(formatSeconds(60_000), '60 s');
		assert.equal(formatSeconds(1_500), '1.5 s');
		// What is left of a 1 s budget a moment after it started: the message says 1 s, not 1.0 s.
		assert.equal(formatSeconds(999), '1 s');
		assert.equal(formatSeconds(960), '1 s');
		assert.equal(formatSeconds(940), '0.9 s');
		assert.equal(formatSeconds(0), '0 s');
	});
});
