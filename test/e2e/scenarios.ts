/** Scenarios shared by the e2e suites (and the demo): run an example and check the emulator. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import { describeRun, nodeOutput } from './n8n';
import { EXAMPLES, exampleWorkflow, type Stack } from './stack';

/**
 * Example 2 (shared with the database-mode suite): 12 PNGs are made, written to disk and read
 * back by n8n's Read/Write Files from Disk node, then appended as local files; each stored image
 * must have the bytes (sha256) of the file on disk.
 */
export async function runLocalFilesExample(s: Stack, expectedMode: string): Promise<void> {
	const { emu, n8n } = s;
	const datasetId = emu.createDataset(`e2e-local-${expectedMode}`);
	const folder = path.join(n8n.filesDir, `local-${expectedMode}`);
	const wf = await exampleWorkflow(n8n, EXAMPLES.localFiles, { datasetId, folder });
	await n8n.importWorkflow(wf);
	const run = await n8n.execute(wf.id);
	assert.equal(run.status, 'success', describeRun(run));

	const read = nodeOutput(run, 'Read Files from Disk');
	assert.equal(read.length, 12);
	const binary = read[0].binary?.data as { id?: string } | undefined;
	assert.ok(binary?.id, 'binary data stored by id, not inline');
	assert.ok(
		String(binary.id).startsWith(expectedMode),
		`binary data id ${String(binary.id)} should be in ${expectedMode} mode`,
	);

	const results = nodeOutput(run, 'Append to Nucleus');
	assert.equal(results.length, 12);
	for (const r of results) assert.equal(r.json.outcome, 'new', JSON.stringify(r.json));

	const files = (await readdir(folder)).filter((f) => f.endsWith('.png')).sort();
	assert.equal(files.length, 12);
	assert.equal(emu.itemCount(datasetId), 12);
	for (const file of files) {
		const bytes = await readFile(path.join(folder, file));
		const item = emu.getItem(datasetId, file);
		assert.ok(item?.image, `${file} stored with an uploaded image`);
		assert.equal(item.image.bytes, bytes.length);
		assert.equal(item.image.sha256, createHash('sha256').update(bytes).digest('hex'), file);
		assert.equal(item.image.contentType, 'image/png');
		assert.equal(item.metadata.file_name, file);
	}
}
