/**
 * What the texts claim about options is what the node has: the README's operations table lists,
 * per operation, exactly the options the node's Options collection offers there, and every
 * "Options → X" a parameter's description mentions is an option of the operations showing it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';

const ROOT = path.resolve(__dirname, '..', '..');
const properties = new ScaleNucleus().description.properties;

/** "Request Timeout (Seconds)" is claimed as "Request Timeout". */
const shortName = (displayName: string) => displayName.replace(/ \(Seconds\)$/, '');

interface Operation {
	label: string;
	/** The top-level parameters shown for it. */
	parameters: INodeProperties[];
	options: Set<string>;
}

function shows(p: INodeProperties, key: 'resource' | 'operation', value: string): boolean {
	return ((p.displayOptions?.show?.[key] as string[] | undefined) ?? []).includes(value);
}

function operations(): Operation[] {
	const resource = properties.find((p) => p.name === 'resource')!;
	const out: Operation[] = [];
	for (const r of resource.options as INodePropertyOptions[]) {
		const operation = properties.find(
			(p) => p.name === 'operation' && shows(p, 'resource', String(r.value)),
		)!;
		for (const o of operation.options as INodePropertyOptions[]) {
			const parameters = properties.filter(
				(p) => shows(p, 'resource', String(r.value)) && shows(p, 'operation', String(o.value)),
			);
			const options = new Set(
				parameters
					.filter((p) => p.name === 'options' && p.type === 'collection')
					.flatMap((p) => (p.options as INodeProperties[]).map((x) => shortName(x.displayName))),
			);
			out.push({ label: `${r.name} → ${o.name}`, parameters, options });
		}
	}
	return out;
}

/** The README's operations table: operation label → the options it claims. */
function readmeClaims(): Map<string, Set<string>> {
	const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('\n## Operations'), readme.indexOf('\n### Trigger'));
	const claims = new Map<string, Set<string>>();
	for (const line of section.split('\n')) {
		const cells = line.split('|').map((c) => c.trim());
		if (cells.length < 5 || !cells[1].includes('→')) continue;
		const label = cells[1].replace(/^\[(.+)\]\(.+\)$/, '$1');
		const listed = cells[3] === '—' ? [] : cells[3].split(',').map((c) => c.trim());
		claims.set(label, new Set(listed));
	}
	return claims;
}

test("the README's operations table lists every operation with exactly its options", () => {
	const claims = readmeClaims();
	const ops = operations();
	assert.ok(ops.length >= 13, `${ops.length} operations`);
	assert.deepEqual([...claims.keys()].sort(), ops.map((o) => o.label).sort());
	for (const op of ops) {
		assert.deepEqual(
			[...claims.get(op.label)!].sort(),
			[...op.options].sort(),
			`README's options of ${op.label}`,
		);
	}
});

function descriptionsOf(p: INodeProperties): string[] {
	const own = [p.description, p.hint].filter((t): t is string => typeof t === 'string');
	const nested = (p.options ?? []).flatMap((o) =>
		'displayName' in o && 'type' in o ? descriptionsOf(o as INodeProperties) : [],
	);
	return [...own, ...nested];
}

test('every "Options → X" in a description is an option of each operation that shows it', () => {
	let mentions = 0;
	for (const op of operations()) {
		for (const p of op.parameters) {
			for (const text of descriptionsOf(p)) {
				for (const [, name] of text.matchAll(/Options → ([A-Z][A-Za-z]*(?: [a-zA-Z]+)*)/g)) {
					const known = [...op.options].find((o) => name.startsWith(o));
					assert.ok(known, `${op.label}: "${p.displayName}" mentions Options → ${name}`);
					mentions++;
				}
			}
		}
	}
	assert.ok(mentions > 0, 'the descriptions mention options');
});
