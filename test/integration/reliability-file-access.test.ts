/**
 * File access (Append Items, Local File, File Path) goes through n8n's own file helpers, so the
 * n8n host's rules hold: with N8N_RESTRICT_FILE_ACCESS_TO set, a path outside it is refused;
 * n8n's own folder (`<N8N_USER_FOLDER>/.n8n`, which holds the instance's encryption key in
 * `config`) is refused even when the allowed list covers it or there is no allowed list; symlinks
 * (file or directory) that lead outside are refused. Every refusal is an error item naming the item
 * and File Path, and happens before any request for that item; the other items are appended.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startEmulator, type Emulator } from '../emulator';
import { initHarness } from '../harness';
import { appendParams, json, pairedIndex, runScale } from './reliability-common';

let emu: Emulator;
let dir: string;
let allowed: string;
let outside: string;
let n8nFolder: string;

before(async () => {
	emu = await startEmulator();
	({ n8nFolder } = await initHarness());
	dir = await mkdtemp(join(tmpdir(), 'nucleus-files-'));
	allowed = join(dir, 'allowed');
	outside = join(dir, 'outside');
	await mkdir(join(allowed, 'sub'), { recursive: true });
	await mkdir(outside, { recursive: true });
	await writeFile(join(allowed, 'inside.jpg'), Buffer.from('inside image'));
	await writeFile(join(allowed, 'sub', 'nested.jpg'), Buffer.from('nested image'));
	await writeFile(join(outside, 'private.jpg'), Buffer.from('private image'));
	await symlink(join(outside, 'private.jpg'), join(allowed, 'file-link.jpg'));
	await symlink(outside, join(allowed, 'dir-link'));
	await symlink(join(allowed, 'sub', 'nested.jpg'), join(allowed, 'inner-link.jpg'));
});
after(async () => {
	await emu.close();
	await rm(dir, { recursive: true, force: true });
});

const pathParams = (ds: string) =>
	appendParams(ds, { mode: 'local', imageSource: 'path', filePath: '={{ $json.path }}' });

/** Appends one item per path; returns the error text per refused position and checks nothing was sent for them. */
async function appendPaths(paths: string[], env: Record<string, string>) {
	const ds = emu.createDataset('files');
	const before = emu.stats();
	const { output } = await runScale(
		emu,
		pathParams(ds),
		paths.map((path, i) => json({ ref: `p-${i}`, path })),
		{ onError: 'continueErrorOutput', env },
	);
	const after = emu.stats();
	const [ok, errors] = output;
	const refused = new Map(errors.map((e) => [pairedIndex(e), String(e.json.error)]));
	const accepted = ok.map(pairedIndex);
	assert.equal(accepted.length + refused.size, paths.length, 'every input is answered once');
	assert.ok(ok.every((item) => item.json.outcome === 'appended'));
	// Refused items were never sent: the accepted images in batches of up to 10, and nothing more.
	assert.equal(after.appendRequests - before.appendRequests, Math.ceil(accepted.length / 10));
	assert.equal(after.imagesReceived - before.imagesReceived, accepted.length);
	assert.deepEqual(
		emu
			.listItems(ds)
			.map((i) => i.reference_id)
			.sort(),
		accepted.map((i) => `p-${i}`).sort(),
	);
	return { ds, accepted, refused };
}

describe("file access through n8n's rules", () => {
	test('N8N_RESTRICT_FILE_ACCESS_TO: inside is uploaded, outside is refused before any request', async () => {
		const { accepted, refused, ds } = await appendPaths(
			[
				join(allowed, 'inside.jpg'),
				join(outside, 'private.jpg'),
				join(allowed, 'sub', 'nested.jpg'),
				'/etc/passwd',
			],
			{ N8N_RESTRICT_FILE_ACCESS_TO: allowed },
		);
		assert.deepEqual(accepted, [0, 2]);
		assert.deepEqual([...refused.keys()], [1, 3]);
		assert.match(
			refused.get(1)!,
			/^Item 1: File Path ".*private\.jpg" cannot be used: Access to the file is not allowed/,
		);
		assert.match(
			refused.get(3)!,
			/^Item 3: File Path "\/etc\/passwd" cannot be used: Access to the file is not allowed/,
		);
		assert.equal(emu.getItem(ds, 'p-0')?.image?.bytes, 'inside image'.length);
	});

	test('symlinks leading outside (a file link, a directory link) are refused; a link that stays inside is followed', async () => {
		const { accepted, refused } = await appendPaths(
			[
				join(allowed, 'file-link.jpg'),
				join(allowed, 'dir-link', 'private.jpg'),
				join(allowed, 'inner-link.jpg'),
				join(allowed, 'sub', '..', '..', 'outside', 'private.jpg'),
			],
			{ N8N_RESTRICT_FILE_ACCESS_TO: allowed },
		);
		assert.deepEqual(accepted, [2]);
		for (const i of [0, 1, 3]) {
			assert.match(
				refused.get(i)!,
				new RegExp(`^Item ${i}: File Path .* cannot be used: Access to the file is not allowed`),
			);
		}
	});

	test("n8n's own folder (.n8n, holding the instance config) is refused even when the allowed list covers it", async () => {
		const config = join(n8nFolder, 'config');
		const userFolder = dirname(n8nFolder);
		const { refused } = await appendPaths([config, join(allowed, 'inside.jpg')], {
			N8N_RESTRICT_FILE_ACCESS_TO: `${allowed};${userFolder}`,
		});
		assert.match(
			refused.get(0)!,
			/^Item 0: File Path ".*\.n8n\/config" cannot be used: Access to the file is not allowed/,
		);
	});

	test("n8n's own folder is refused with no allowed list at all (N8N_RESTRICT_FILE_ACCESS_TO empty)", async () => {
		const { accepted, refused } = await appendPaths(
			[join(n8nFolder, 'config'), join(outside, 'private.jpg')],
			{ N8N_RESTRICT_FILE_ACCESS_TO: '' },
		);
		assert.deepEqual(accepted, [1], 'with no allowed list other folders are readable');
		assert.match(refused.get(0)!, /Access to the file is not allowed/);
	});

	test('with Continue On Fail off, a refused path stops the run before any request', async () => {
		const ds = emu.createDataset('files-stop');
		const before = emu.stats().requests;
		await assert.rejects(
			runScale(
				emu,
				pathParams(ds),
				[
					json({ ref: 'in', path: join(allowed, 'inside.jpg') }),
					json({ ref: 'out', path: join(outside, 'private.jpg') }),
				],
				{ env: { N8N_RESTRICT_FILE_ACCESS_TO: allowed } },
			),
			/^NodeOperationError: Item 1: File Path .* Access to the file is not allowed|Item 1: File Path .*Access to the file is not allowed/,
		);
		assert.equal(emu.stats().requests, before);
	});
});
