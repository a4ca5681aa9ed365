/**
 * End to end: example 2 (files written and read by n8n's Read/Write Files from Disk node, then
 * appended as local files) again, with n8n's binary data in `database` mode
 * (N8N_DEFAULT_BINARY_DATA_MODE=database), so uploads stream from more than one storage mode.
 */
import { after, before, test } from 'node:test';

import { cleanupWorkRoot } from './n8n';
import { runLocalFilesExample } from './scenarios';
import { startStack, type Stack } from './stack';

let stack: Stack;

before(async () => {
	stack = await startStack({
		label: 'binary-db',
		env: { N8N_DEFAULT_BINARY_DATA_MODE: 'database' },
	});
});

after(async () => {
	await stack?.close();
	await cleanupWorkRoot();
});

test('5: local files appended from binary data stored in the database', async () => {
	await runLocalFilesExample(stack, 'database');
});
