/**
 * The Docs links n8n shows (the credential's documentationUrl and the codex files' documentation
 * URLs) point at README headings that exist, so a user clicking "Docs" lands on the section.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The Markdown files of the repository that link to each other. */
const MARKDOWN = ['README.md', 'CONTRIBUTING.md', 'examples/README.md', 'CHANGELOG.md'];

function markdownFiles(): string[] {
	const docs = readdirSync(path.join(ROOT, 'docs'))
		.filter((f) => f.endsWith('.md'))
		.map((f) => `docs/${f}`);
	return [...MARKDOWN, ...docs];
}

function anchorsOf(file: string): Set<string> {
	const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
	return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => githubAnchor(m[1])));
}

test('every relative link of the Markdown files names a file that exists, and a heading it has', () => {
	let checked = 0;
	for (const file of markdownFiles()) {
		const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
		for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^[a-z]+:/i.test(target)) continue;
			const [linkPath, anchor] = target.split('#');
			const resolved = linkPath
				? path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), linkPath))
				: file;
			assert.ok(existsSync(path.join(ROOT, resolved)), `${file}: ${target} does not exist`);
			if (anchor) {
				assert.ok(
					resolved.endsWith('.md'),
					`${file}: ${target} has an anchor into a non-Markdown file`,
				);
				assert.ok(anchorsOf(resolved).has(anchor), `${file}: ${target}: no heading #${anchor}`);
			}
			checked++;
		}
	}
	assert.ok(checked > 40, `only ${checked} links checked`);
});

test('the README is a user guide: short, and no issue numbers in the texts users read', () => {
	const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	assert.ok(readme.split('\n').length <= 300, 'README.md is at most 300 lines');
	for (const file of [
		'README.md',
		'examples/README.md',
		...markdownFiles().filter((f) => f.startsWith('docs/')),
	]) {
		const text = readFileSync(path.join(ROOT, file), 'utf8');
		assert.doesNotMatch(text, /\bissues? #?\d+\b/i, `${file} speaks of an issue number`);
	}
});
