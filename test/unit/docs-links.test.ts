/**
 * The Docs links n8n shows (the credential's documentationUrl and the codex files' documentation
 * URLs) point at README headings that exist, so a user clicking "Docs" lands on the section.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { ScaleNucleusApi } from '../../credentials/ScaleNucleusApi.credentials';

const ROOT = path.resolve(__dirname, '..', '..');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function githubAnchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

function readmeAnchors(): Set<string> {
	const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	return new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubAnchor(m[1])));
}

function codexUrls(file: string): string[] {
	const codex = JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as {
		resources: Record<string, Array<{ url: string }>>;
	};
	return Object.values(codex.resources).flatMap((list) => list.map((r) => r.url));
}

test('every Docs link of the nodes and the credential names a README heading', () => {
	const anchors = readmeAnchors();
	const urls = [
		new ScaleNucleusApi().documentationUrl,
		...codexUrls('nodes/ScaleNucleus/ScaleNucleus.node.json'),
		...codexUrls('nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.json'),
	];
	assert.ok(urls.length >= 5);
	for (const url of urls) {
		const anchor = new URL(url).hash.slice(1);
		assert.ok(anchor, `${url} has an anchor`);
		assert.ok(anchors.has(anchor), `${url}: no README heading has the anchor #${anchor}`);
	}
});
