/**
 * What `npm publish` would ship, checked on the built package (`npm run build` first; test:e2e does):
 * `npm pack --dry-run --json` lists only the compiled nodes and credential (with their maps, codex
 * files and icons), README.md, LICENSE.md and package.json, never tests, the emulator, benchmarks,
 * docs or TypeScript sources; and n8n's own package loader finds both nodes, the new operations and
 * the codex aliases in it.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';

import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';
import { PackageDirectoryLoader } from 'n8n-core';

import { REPO_ROOT, runProcess } from './n8n';

const BUILT = path.join(REPO_ROOT, 'dist', 'nodes', 'ScaleNucleus', 'ScaleNucleus.node.js');

async function packedFiles(): Promise<string[]> {
	assert.ok(existsSync(BUILT), 'dist/ is missing: run `npm run build` before this test');
	const result = await runProcess('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: REPO_ROOT,
	});
	assert.equal(result.code, 0, result.stderr);
	const info = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{
		files: Array<{ path: string }>;
	}>;
	return info[0].files.map((f) => f.path).sort();
}

/** A shipped file: the compiled code of nodes/ and credentials/ (js, d.ts, js.map), codex, icons. */
function allowed(file: string): boolean {
	if (['README.md', 'LICENSE.md', 'package.json', 'dist/package.json'].includes(file)) return true;
	// npm has shipped a CHANGELOG on its own in some versions; it is welcome, not required.
	if (/^CHANGELOG\.md$/i.test(file)) return true;
	if (/^dist\/icons\/[\w.-]+\.svg$/.test(file)) return true;
	return /^dist\/(nodes|credentials)\/[\w./-]+\.(js|d\.ts|js\.map|node\.json|svg)$/.test(file);
}

describe('the published package', () => {
	test('npm pack ships only the compiled package, README, license and package.json', async () => {
		const files = await packedFiles();
		const unexpected = files.filter((f) => !allowed(f));
		assert.deepEqual(unexpected, [], `unexpected files in the package: ${unexpected.join(', ')}`);
		for (const f of files) {
			assert.doesNotMatch(f, /(^|\/)(test|emulator|bench|harness|docs|examples)(\/|$)|\.test\./, f);
		}
		// Every source map is the map of a shipped file, whose TypeScript source is in nodes/ or credentials/.
		for (const map of files.filter((f) => f.endsWith('.js.map'))) {
			const js = map.slice(0, -'.map'.length);
			assert.ok(files.includes(js), `${map} without ${js}`);
			const source = path.join(REPO_ROOT, js.slice('dist/'.length).replace(/\.js$/, '.ts'));
			assert.ok(existsSync(source), `${map} maps a file that is not a shipped source`);
		}
		const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
			n8n: { nodes: string[]; credentials: string[] };
		};
		for (const entry of [
			...pkg.n8n.nodes,
			...pkg.n8n.credentials,
			'dist/nodes/ScaleNucleus/ScaleNucleus.node.json',
			'dist/nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.json',
			'dist/icons/nucleus.svg',
			'dist/icons/nucleus.dark.svg',
			'README.md',
			'LICENSE.md',
		]) {
			assert.ok(files.includes(entry), `${entry} is not in the package`);
		}
	});

	test("n8n's package loader finds both nodes, the codex aliases and the new operations", async () => {
		assert.ok(existsSync(BUILT), 'dist/ is missing: run `npm run build` before this test');
		const loader = new PackageDirectoryLoader(REPO_ROOT);
		await loader.loadAll();
		assert.equal(loader.packageName, 'n8n-nodes-scale-nucleus');
		assert.deepEqual(Object.keys(loader.nodeTypes).sort(), ['scaleNucleus', 'scaleNucleusTrigger']);
		const description = loader.nodeTypes.scaleNucleus.type.description as INodeTypeDescription;
		assert.deepEqual(description.codex?.alias, [
			'Scale AI',
			'Nucleus',
			'dataset',
			'images',
			'ingest',
			'upload',
			'metadata',
			'computer vision',
			'machine learning',
			'AsyncJob',
		]);
		const operations = (resource: string) =>
			description.properties
				.filter(
					(p: INodeProperties) =>
						p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
				)
				.flatMap((p) => (p.options ?? []).map((o) => ('value' in o ? o.value : undefined)));
		assert.deepEqual(operations('dataset'), ['create', 'delete', 'get', 'getMany']);
		assert.deepEqual(operations('datasetItem'), [
			'append',
			'delete',
			'get',
			'getMany',
			'syncFromBucket',
			'updateMetadata',
		]);
		assert.deepEqual(operations('job'), ['getErrors', 'getMany', 'getStatus', 'waitForCompletion']);
	});
});
