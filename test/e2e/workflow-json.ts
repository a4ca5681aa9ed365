/**
 * Workflow and credential JSON for the end-to-end tests: loading the examples, finding a node,
 * replacing a placeholder everywhere, and the Nucleus credential entity n8n imports.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { CREDENTIAL_TYPE, EXAMPLES_DIR, EXAMPLE_CREDENTIAL, type CredentialEntity } from './n8n';

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	onError?: 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';
	disabled?: boolean;
	executeOnce?: boolean;
	alwaysOutputData?: boolean;
	retryOnFail?: boolean;
	notes?: string;
	webhookId?: string;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	active?: boolean;
	[key: string]: unknown;
}

export async function loadWorkflow(file: string): Promise<WorkflowJson> {
	const full = path.isAbsolute(file) ? file : path.join(EXAMPLES_DIR, file);
	return JSON.parse(await readFile(full, 'utf8')) as WorkflowJson;
}

/** The credential entity n8n imports for the emulator (or any Nucleus-compatible server). */
export function nucleusCredential(
	apiKey: string,
	baseUrl: string,
	ref: { id: string; name: string } = EXAMPLE_CREDENTIAL,
): CredentialEntity {
	return { id: ref.id, name: ref.name, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
}

/** Returns the node named `name`, or throws. */
export function findNode(wf: WorkflowJson, name: string): WorkflowNode {
	const node = wf.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${wf.name}" has no node "${name}"`);
	return node;
}

/**
 * Replaces every string value equal to `from` anywhere in the workflow (e.g. the placeholder
 * dataset id `ds_REPLACE_WITH_YOUR_DATASET_ID`), including inside larger strings.
 */
export function replaceInWorkflow<T>(value: T, from: string, to: string): T {
	if (typeof value === 'string') return value.split(from).join(to) as T;
	if (Array.isArray(value)) return value.map((v) => replaceInWorkflow(v, from, to)) as T;
	if (value && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = replaceInWorkflow(v, from, to);
		return out as T;
	}
	return value;
}
