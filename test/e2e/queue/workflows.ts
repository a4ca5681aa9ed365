/**
 * Workflows of the queue-mode suite. In queue mode executions start from triggers on main (the
 * CLI's `n8n execute` runs in its own process, not on a worker), so each example's Manual Trigger
 * becomes a Webhook; main answers the call when the worker has finished (`lastNode`).
 */
import { randomUUID } from 'node:crypto';

import {
	EXAMPLE_CREDENTIAL,
	NODE_TYPE,
	type ExecutionResult,
	type NodeRun,
	type WorkflowJson,
	type WorkflowNode,
} from '../n8n';
import type { QueueStack } from './stack';

function webhookNode(webhookPath: string): WorkflowNode {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: randomUUID(),
		parameters: {
			httpMethod: 'POST',
			path: webhookPath,
			responseMode: 'lastNode',
			responseData: 'firstEntryJson',
			options: {},
		},
	};
}

/** The example with its Manual Trigger ("Start") replaced by a Webhook at `webhookPath`. */
export function viaWebhook(wf: WorkflowJson, webhookPath: string): WorkflowJson {
	const start = wf.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
	if (!start) throw new Error(`workflow "${wf.name}" has no Manual Trigger`);
	const hook = webhookNode(webhookPath);
	const connections = { ...(wf.connections as Record<string, unknown>) };
	connections[hook.name] = connections[start.name];
	delete connections[start.name];
	return {
		...wf,
		nodes: [hook, ...wf.nodes.filter((n) => n !== start)],
		connections,
	};
}

/**
 * Local files received in the webhook call itself: a multipart POST with any number of `file`
 * parts (main writes each to n8n's binary data store, here the database, as `file0`, `file1`, …),
 * one item per file, appended as local files (from binary data) to the dataset named by the
 * `dataset` query parameter, reference ID = `<prefix><file name>`. `appendOptions` are added to
 * the Append node's options (e.g. `{ skipPresent: true }`).
 */
export function uploadedFilesWorkflow(
	id: string,
	webhookPath: string,
	appendOptions: Record<string, unknown> = {},
): WorkflowJson {
	const hook = webhookNode(webhookPath);
	const split: WorkflowNode = {
		id: randomUUID(),
		name: 'One item per file',
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [220, 0],
		parameters: {
			jsCode: [
				'// The Webhook puts every uploaded file on one item (file0, file1, …); Append takes one',
				'// file per item, so give each file its own item. The binary data stays where main',
				'// stored it: only its reference is copied.',
				'const { json, binary } = $input.first();',
				'const prefix = json.query.prefix ?? "";',
				'return Object.keys(binary ?? {})',
				'  .sort((a, b) => Number(a.slice(4)) - Number(b.slice(4)))',
				'  .map((key) => ({',
				'    json: { dataset: json.query.dataset, reference_id: prefix + binary[key].fileName, file_name: binary[key].fileName },',
				'    binary: { data: binary[key] },',
				'  }));',
			].join('\n'),
		},
	};
	const append: WorkflowNode = {
		id: randomUUID(),
		name: 'Append to Nucleus',
		type: NODE_TYPE,
		typeVersion: 1,
		position: [440, 0],
		credentials: { scaleNucleusApi: { ...EXAMPLE_CREDENTIAL } },
		parameters: {
			resource: 'datasetItem',
			operation: 'append',
			datasetId: { __rl: true, mode: 'id', value: '={{ $json.dataset }}' },
			mode: 'local',
			imageSource: 'binary',
			binaryPropertyName: 'data',
			referenceId: '={{ $json.reference_id }}',
			metadataMode: 'fields',
			metadataFields: {
				field: [{ key: 'file_name', value: '={{ $json.file_name }}' }],
			},
			options: { pollInterval: 0.5, ...appendOptions },
		},
	};
	return {
		id,
		name: `Queue: upload files from a webhook (${webhookPath})`,
		nodes: [hook, split, append],
		connections: {
			[hook.name]: { main: [[{ node: split.name, type: 'main', index: 0 }]] },
			[split.name]: { main: [[{ node: append.name, type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Decodes n8n's stored execution data (execution_data.data, written with `flatted`): a JSON array
 * whose first entry is the root, where every string and object inside is replaced by the index of
 * the entry holding it (so shared and circular references survive).
 */
export function decodeFlatted(text: string): unknown {
	const entries = JSON.parse(text) as unknown[];
	const revived = new Map<number, unknown>();
	const revive = (index: number): unknown => {
		if (revived.has(index)) return revived.get(index);
		const entry = entries[index];
		if (typeof entry === 'string' || entry === null || typeof entry !== 'object') return entry;
		const out: Record<string, unknown> | unknown[] = Array.isArray(entry) ? [] : {};
		revived.set(index, out);
		for (const [key, value] of Object.entries(entry as Record<string, unknown>)) {
			(out as Record<string, unknown>)[key] =
				typeof value === 'string' ? revive(Number(value)) : value;
		}
		return out;
	};
	return revive(0);
}

/** An execution as n8n stored it in PostgreSQL, in the shape the other e2e suites read. */
export async function storedExecution(q: QueueStack, id: string): Promise<ExecutionResult> {
	const rows = await q.pg.query(
		`SELECT e.status, e.finished, d.data FROM execution_entity e JOIN execution_data d ON d."executionId" = e.id WHERE e.id = ${Number(id)}`,
	);
	if (!rows.length) throw new Error(`execution ${id} has no stored data`);
	const [status, finished, ...data] = rows[0];
	const decoded = decodeFlatted(data.join('|')) as {
		resultData: {
			runData?: Record<string, NodeRun[]>;
			lastNodeExecuted?: string;
			error?: ExecutionResult['error'];
		};
	};
	return {
		status,
		finished: finished === 't',
		runData: decoded.resultData.runData ?? {},
		lastNodeExecuted: decoded.resultData.lastNodeExecuted,
		error: decoded.resultData.error,
		raw: decoded as unknown as Record<string, unknown>,
		exitCode: null,
	};
}
