/**
 * The benchmark workflows: our node, and the same job built from n8n's built-in nodes only
 * (Read/Write Files from Disk, Code, HTTP Request with the credential as a predefined credential type).
 * One file of workflow builders, one per bench section, so that the sections compare like with like.
 */
import { EXAMPLE_CREDENTIAL, NODE_TYPE, type WorkflowJson, type WorkflowNode } from '../e2e/n8n';

export const START_NODE = 'Start';
export const READ_NODE = 'Read Files from Disk';
export const OURS_NODE = 'Append to Nucleus';
export const HTTP_NODE = 'HTTP Request';
export const CODE_NODE = 'Generate items';
export const WAIT_NODE = 'Wait';

/** HTTP Request node "Batching" option: `batchSize` items are started, then it sleeps `batchInterval` ms. */
export interface HttpBatching {
	batchSize: number;
	batchInterval: number;
}

const credentials = { scaleNucleusApi: { ...EXAMPLE_CREDENTIAL } };

/**
 * Append's top-level parameters at their defaults, written out: Wait for Completion on for Local
 * File mode, off for Remote URL mode. Options stay empty, so Images per Request (10), Concurrency
 * (32), Poll Interval (5 s), Max Wait (3600 s) and Protocol (Current) are defaults.
 */
const CURRENT_LOCAL = { waitForCompletion: true };
const CURRENT_REMOTE = { waitForCompletion: false };

function chain(
	id: string,
	name: string,
	nodes: Array<Omit<WorkflowNode, 'position'>>,
): WorkflowJson {
	const placed = nodes.map((n, i) => ({ ...n, position: [i * 220, 0] as [number, number] }));
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < placed.length; i++) {
		connections[placed[i].name] = {
			main: [[{ node: placed[i + 1].name, type: 'main', index: 0 }]],
		};
	}
	return {
		id,
		name,
		nodes: placed,
		connections,
		settings: { executionOrder: 'v1' },
		active: false,
	};
}

const start = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	parameters: {},
};

function readFiles(glob: string) {
	return {
		name: READ_NODE,
		type: 'n8n-nodes-base.readWriteFile',
		typeVersion: 1.1,
		parameters: { fileSelector: glob, options: {} },
	};
}

/**
 * Our node, Local File mode from the binary property `data`, reference ID = file name, default
 * parameters and options: batches of 10 to `append?async=1`, waits for the jobs.
 */
export function oursLocalWorkflow(id: string, datasetId: string, glob: string): WorkflowJson {
	return chain(id, `bench: ours local ${id}`, [
		start,
		readFiles(glob),
		{
			name: OURS_NODE,
			type: NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'datasetItem',
				operation: 'append',
				datasetId: { __rl: true, mode: 'id', value: datasetId },
				mode: 'local',
				imageSource: 'binary',
				binaryPropertyName: 'data',
				referenceId: '={{ $json.fileName }}',
				metadataMode: 'none',
				...CURRENT_LOCAL,
				options: {},
			},
			credentials,
		},
	]);
}

function httpNode(parameters: Record<string, unknown>, batching?: HttpBatching) {
	return {
		name: HTTP_NODE,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'POST',
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'scaleNucleusApi',
			sendBody: true,
			...parameters,
			options: batching ? { batching: { batch: { ...batching } } } : {},
		},
		credentials,
	};
}

/**
 * The same job with the HTTP Request node, as an n8n user builds it by hand from the API's "Add
 * Images" page: one multipart request per item to `append`, parts `item` (the DatasetItem as a JSON
 * string) and `image` (the n8n binary `data`). Today's server answers each with a job.
 */
export function httpLocalWorkflow(
	id: string,
	baseUrl: string,
	datasetId: string,
	glob: string,
	batching?: HttpBatching,
): WorkflowJson {
	return chain(id, `bench: HTTP Request local ${id}`, [
		start,
		readFiles(glob),
		httpNode(
			{
				url: `${baseUrl}/dataset/${datasetId}/append`,
				contentType: 'multipart-form-data',
				bodyParameters: {
					parameters: [
						{
							parameterType: 'formData',
							name: 'item',
							value: '={{ JSON.stringify({ reference_id: $json.fileName, update: false }) }}',
						},
						{ parameterType: 'formBinaryData', name: 'image', inputDataFieldName: 'data' },
					],
				},
			},
			batching,
		),
	]);
}

/** Code node source making `count` remote items (as a user's previous step would). */
function remoteItemsCode(count: number, perItem: number): string {
	return `const total = ${count};
const per = ${perItem};
const cameras = ['front', 'rear', 'left', 'right'];
const make = (i) => {
  const n = String(i).padStart(6, '0');
  return {
    reference_id: 'img-' + n,
    image_url: i % 2 ? 's3://bench-bucket/images/' + n + '.jpg' : 'https://images.example.com/bench/' + n + '.jpg',
    metadata: { camera: cameras[i % 4], frame: i, split: i % 10 === 0 ? 'val' : 'train' },
  };
};
const out = [];
if (per === 1) {
  for (let i = 1; i <= total; i++) {
    const it = make(i);
    out.push({ json: { reference_id: it.reference_id, image_url: it.image_url, ...it.metadata } });
  }
} else {
  for (let i = 1; i <= total; i += per) {
    const items = [];
    for (let j = i; j < Math.min(total + 1, i + per); j++) items.push(make(j));
    out.push({ json: { items } });
  }
}
return out;`;
}

function codeNode(count: number, perItem: number) {
	return {
		name: CODE_NODE,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		parameters: { jsCode: remoteItemsCode(count, perItem) },
	};
}

/**
 * Our node, Remote URL mode, metadata = all other fields, default parameters and options: one
 * presigned NDJSON upload and one job, not waited for (one output item per job).
 */
export function oursRemoteWorkflow(id: string, datasetId: string, count: number): WorkflowJson {
	return chain(id, `bench: ours remote ${id}`, [
		start,
		codeNode(count, 1),
		{
			name: OURS_NODE,
			type: NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'datasetItem',
				operation: 'append',
				datasetId: { __rl: true, mode: 'id', value: datasetId },
				mode: 'remote',
				imageUrl: '={{ $json.image_url }}',
				referenceId: '={{ $json.reference_id }}',
				metadataMode: 'allFields',
				excludeFields: 'reference_id, image_url',
				...CURRENT_REMOTE,
				options: {},
			},
			credentials,
		},
	]);
}

/**
 * n8n's floor for the remote figure: the same 100,000 items from the same Code node, then n8n's Wait
 * node (an in-process sleep of `seconds`, its output is its input), in place of our node. Whatever
 * the process grows by while it waits is n8n's own (taking the Code node's items in and holding
 * them), not any node's.
 */
export function waitRemoteWorkflow(id: string, count: number, seconds: number): WorkflowJson {
	return chain(id, `bench: n8n floor ${id}`, [
		start,
		codeNode(count, 1),
		{
			name: WAIT_NODE,
			type: 'n8n-nodes-base.wait',
			typeVersion: 1.1,
			parameters: { resume: 'timeInterval', amount: seconds, unit: 'seconds' },
		},
	]);
}

/**
 * JSON batches with the HTTP Request node (the pre-2026 synchronous route): a Code node makes items
 * of 29, one POST `{items, update}` each; today's server answers each with a job.
 */
export function httpRemoteWorkflow(
	id: string,
	baseUrl: string,
	datasetId: string,
	count: number,
	batching?: HttpBatching,
): WorkflowJson {
	return chain(id, `bench: HTTP Request remote ${id}`, [
		start,
		codeNode(count, 29),
		httpNode(
			{
				url: `${baseUrl}/dataset/${datasetId}/append`,
				contentType: 'json',
				specifyBody: 'json',
				jsonBody: '={{ JSON.stringify({ items: $json.items, update: false }) }}',
			},
			batching,
		),
	]);
}

/** Manual Trigger and a No Operation node: n8n's own memory for running a workflow. */
export function idleWorkflow(id: string): WorkflowJson {
	return chain(id, `bench: idle ${id}`, [
		start,
		{ name: 'Nothing', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} },
	]);
}

/** Our node reading the files itself (File Path source): a Code node lists the paths, nothing is copied. */
export function oursFilePathWorkflow(id: string, datasetId: string, paths: string[]): WorkflowJson {
	return chain(id, `bench: ours file path ${id}`, [
		start,
		{
			name: CODE_NODE,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			parameters: {
				jsCode: `return ${JSON.stringify(paths)}.map((path) => ({ json: { path, fileName: path.split('/').pop() } }));`,
			},
		},
		{
			name: OURS_NODE,
			type: NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'datasetItem',
				operation: 'append',
				datasetId: { __rl: true, mode: 'id', value: datasetId },
				mode: 'local',
				imageSource: 'path',
				filePath: '={{ $json.path }}',
				referenceId: '={{ $json.fileName }}',
				metadataMode: 'none',
				...CURRENT_LOCAL,
				options: {},
			},
			credentials,
		},
	]);
}

/** Parameters of our node in the parameter-cost figures: how the item's fields are referred to. */
export type ParameterStyle = 'paths' | 'templates';

/**
 * Code node making `count` items shaped like an S3 listing (Key, ETag, Size), with the fields the
 * path-style parameters read ready-made (as a user computing them in the previous node would).
 */
function bucketItemsCode(count: number): string {
	return `const out = [];
const folders = ['front', 'rear', 'left', 'right'];
for (let i = 1; i <= ${count}; i++) {
  const n = String(i).padStart(6, '0');
  const Key = 'images/' + folders[i % 4] + '/' + n + '.jpg';
  const etag = 'e' + n + 'f00d';
  out.push({ json: { Key, ETag: '"' + etag + '"', Size: 50000 + i,
    image_url: 's3://nucleus-images/' + Key, folder: folders[i % 4], etag } });
}
return out;`;
}

/** `wf` with the parameters of its node `name` changed by `patch`. */
function withParameters(
	wf: WorkflowJson,
	name: string,
	patch: Record<string, unknown>,
): WorkflowJson {
	const node = wf.nodes.find((n) => n.name === name);
	if (!node) throw new Error(`no node ${name} in ${wf.name}`);
	node.parameters = { ...node.parameters, ...patch };
	return wf;
}

/**
 * Our node, Remote URL mode, on S3-listing items. 'templates': example 07's parameters (a URL
 * template, the key as reference ID, Fields Below with two string-method expressions and one path);
 * 'paths': the same values as plain `$json` paths to fields the previous node computed.
 */
export function oursRemoteStyleWorkflow(
	id: string,
	datasetId: string,
	count: number,
	style: ParameterStyle,
): WorkflowJson {
	const t = style === 'templates';
	const wf = withParameters(oursRemoteWorkflow(id, datasetId, count), CODE_NODE, {
		jsCode: bucketItemsCode(count),
	});
	wf.name = `bench: ours remote ${style} ${id}`;
	return withParameters(wf, OURS_NODE, {
		imageUrl: t ? '=s3://nucleus-images/{{ $json.Key }}' : '={{ $json.image_url }}',
		referenceId: '={{ $json.Key }}',
		metadataMode: 'fields',
		metadataFields: {
			field: [
				{ key: 'folder', value: t ? "={{ $json.Key.split('/')[1] }}" : '={{ $json.folder }}' },
				{ key: 's3_key', value: '={{ $json.Key }}' },
				{ key: 'etag', value: t ? "={{ $json.ETag.replaceAll('\"', '') }}" : '={{ $json.etag }}' },
			],
		},
	});
}

/**
 * Our node, Local File mode from Read Files from Disk, with templates ('templates': a reference ID
 * template and Fields Below with string-method expressions) or plain paths ('paths').
 */
export function oursLocalStyleWorkflow(
	id: string,
	datasetId: string,
	glob: string,
	style: ParameterStyle,
): WorkflowJson {
	const t = style === 'templates';
	const wf = oursLocalWorkflow(id, datasetId, glob);
	wf.name = `bench: ours local ${style} ${id}`;
	return withParameters(wf, OURS_NODE, {
		referenceId: t ? '=local/{{ $json.fileName }}' : '={{ $json.fileName }}',
		metadataMode: 'fields',
		metadataFields: {
			field: [
				{ key: 'name', value: '={{ $json.fileName }}' },
				{
					key: 'stem',
					value: t ? "={{ $json.fileName.split('.')[0] }}" : '={{ $json.fileExtension }}',
				},
				{ key: 'type', value: t ? '={{ $json.mimeType.toUpperCase() }}' : '={{ $json.mimeType }}' },
			],
		},
	});
}
