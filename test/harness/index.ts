/**
 * Test harness: runs a node's `execute()` and a trigger's `poll()` inside REAL n8n-core
 * contexts (n8n-core 2.41 `ExecuteContext` / `PollContext`), the way an n8n 2.x instance does.
 *
 * What is real: the node runs through n8n-core's `WorkflowExecute.runNode` (which builds the
 * `ExecuteContext`, runs close functions, and then the engine's output processing, including
 * the split into the error output for `onError: 'continueErrorOutput'`); parameters are read
 * by n8n's `getNodeParameter` (defaults, expressions such as `'={{ $json.url }}'` resolved
 * per item by n8n-workflow's expression engine, type validation); `this.helpers.*` are
 * n8n-core's (HTTP through n8n's OutboundHttp, `httpRequestWithAuthentication` with the
 * credential's `authenticate` applied, binary helpers on n8n's BinaryDataService in
 * FILESYSTEM mode, file helpers with n8n's path restrictions); `this.logger` and
 * `LoggerProxy` write into `capturedLogs`.
 * Expressions use n8n-workflow's in-process 'legacy' evaluator (what n8n runs with
 * N8N_EXPRESSION_ENGINE=legacy); an n8n 2.41 server defaults to the isolated-vm engine, whose
 * native module is not built here. Plain `{{ $json.x }}` expressions give the same results.
 * What is stand-in: no database — credentials come from memory (`HarnessCredentialsHelper`),
 * the input items arrive from a stub parent node called "Input", and sub-workflows, AI and
 * task-runner calls are unavailable.
 *
 * The binary data folder, n8n user folder (N8N_USER_FOLDER) and settings live in one temp dir
 * per process, removed at exit. The harness sets N8N_USER_FOLDER and
 * N8N_DEFAULT_BINARY_DATA_MODE=filesystem in `process.env` (child processes inherit them; pass an
 * explicit env when spawning a real n8n). Runs given `env` are serialised among themselves.
 *
 * Files: this one holds the entry points (runNode, runPoll, makeBinaryItem, testCredential) and
 * their guide below; ./workflow.ts the one-node workflow they run in; ./credentials.ts,
 * ./environment.ts, ./logger.ts and ./secrets.ts the pieces named after them. Over ~350 lines because
 * the guide below is about a fifth of it and the entry points share one secret-scan wrapper.
 *
 * Examples
 * --------
 * runNode — an action node against the emulator, expression parameter, binary input:
 *
 *   const emu = await startEmulator();
 *   const item = await makeBinaryItem(Buffer.from('...'), 'cat.jpg', 'image/jpeg', { ref: 'a' });
 *   const { output } = await runNode({
 *     node: new ScaleNucleus(),
 *     parameters: { resource: 'dataset', operation: 'appendItems', referenceId: '={{ $json.ref }}' },
 *     input: [item],
 *     credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
 *     onError: 'continueRegularOutput',           // or continueOnFail: true
 *     abortSignal: controller.signal,             // this.getExecutionCancelSignal()
 *     env: { N8N_RESTRICT_FILE_ACCESS_TO: dir },  // applied for this run only
 *   });
 *   // output[0][i].json / .pairedItem — exactly what execute() returned (no pairedItem auto-fill)
 *
 * runPoll — a polling trigger; staticData is the node's static data, mutated in place:
 *
 *   const staticData: IDataObject = {};
 *   const result = await runPoll({
 *     node: new ScaleNucleusTrigger(),
 *     parameters: { event: 'jobCompleted' },
 *     credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
 *     mode: 'trigger',                              // or 'manual' (the editor's "Fetch test event")
 *     staticData,
 *   });
 *   // result: INodeExecutionData[][] | null; staticData now holds the node's cursor
 *
 * makeBinaryItem / binaryDataDir — an input item whose binary lives on disk like in n8n 2.x:
 *
 *   const item = await makeBinaryItem(createReadStream(file), 'a.png', 'image/png');
 *   item.binary.data.id   // 'filesystem-v2:workflows/.../binary_data/<uuid>'
 *   item.binary.data.data // 'filesystem-v2' (a mode marker, not the content)
 *   binaryDataDir()       // folder that holds the stored files
 *
 * testCredential — n8n's credential test (`test.request` of the credential type):
 *
 *   const r = await testCredential(createTestCredentials(emu.baseUrl, emu.apiKey));
 *   // { status: 'OK', message: 'Connection successful!' } or { status: 'Error', message }
 *
 * capturedLogs — every line logged through n8n's logger during the process (strings).
 *
 * Secret scan — every runNode / runPoll of this package's nodes (scaleNucleus, scaleNucleusTrigger)
 * and every testCredential run is scanned (./secrets.ts): the output items, hints, a thrown error
 * (all its fields, causes included) and the log lines captured since the last scan must not contain
 * a credential secret (apiKey) or the Base64 of `key:`; otherwise the run fails with a
 * SecretLeakError. `secretScanStats()` counts the scans.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
	CredentialTestContext,
	ExecuteContext,
	PollContext,
	RoutingNode,
	WorkflowExecute,
	prepareBinaryData,
} from 'n8n-core';
import {
	NodeConnectionTypes,
	UnexpectedError,
	Workflow,
	createRunExecutionData,
	type ICredentialDataDecryptedObject,
	type ICredentialTestFunction,
	type ICredentialTestRequest,
	type ICredentialType,
	type IDataObject,
	type IExecuteData,
	type INode,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
	type IRunNodeResponse,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type NodeExecutionHint,
	type WorkflowActivateMode,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import { ScaleNucleusTrigger } from '../../nodes/ScaleNucleusTrigger/ScaleNucleusTrigger.node.js'; // .js: plain '.node' resolves to the .node.json codex under tsx
import { HarnessCredentialsHelper, credentialReference, type TestCredentials } from './credentials';
import { currentEnvironment, ensureEnvironment, withEnv } from './environment';
import { scanRun } from './secrets';
import {
	HarnessNodeTypes,
	INPUT_NODE_NAME,
	WORKFLOW_ID,
	buildNode,
	createAdditionalData,
	descriptionOf,
	inputNodeType,
	nextExecutionId,
} from './workflow';

export { createTestCredentials, HarnessCredentialsHelper } from './credentials';
export type { TestCredentials } from './credentials';
export { capturedLogs, capturedLogEntries, clearCapturedLogs } from './logger';
export { SecretLeakError, secretScanStats, secretsOf } from './secrets';
export type { CapturedLogEntry } from './logger';

export { PACKAGE_NAME, nodeTypeName } from './workflow';

export type OnErrorSetting = 'stopWorkflow' | 'continueRegularOutput' | 'continueErrorOutput';

export interface RunNodeOptions {
	/** The node type instance, e.g. `new ScaleNucleus()`. */
	node: INodeType | IVersionedNodeType;
	/** Node parameters as a user sets them; expressions allowed (`'={{ $json.x }}'`). */
	parameters: INodeParameters;
	/** Input items (default: one empty item, as a Manual Trigger gives). Missing `pairedItem` is set to `{ item: i }`. */
	input?: INodeExecutionData[];
	/** Decrypted credential data by type, e.g. `createTestCredentials(baseUrl, apiKey)`. */
	credentials?: TestCredentials;
	/** Same as `onError: 'continueRegularOutput'`. */
	continueOnFail?: boolean;
	onError?: OnErrorSetting;
	/** Becomes the execution's cancel signal (`this.getExecutionCancelSignal()`). */
	abortSignal?: AbortSignal;
	/** Env vars applied for this run only (e.g. N8N_RESTRICT_FILE_ACCESS_TO). */
	env?: Record<string, string>;
	/** Execution mode (default 'manual'). */
	mode?: WorkflowExecuteMode;
	/** Node type version (default: the latest). */
	typeVersion?: number;
	/** Node name in the workflow (default: the description's `defaults.name`). */
	nodeName?: string;
	/** Execution id (default: a fresh one per run). */
	executionId?: string;
	/** Workflow settings (timezone, binaryMode, ...). */
	workflowSettings?: IWorkflowSettings;
	/** Extra credential types beyond ScaleNucleusApi. */
	credentialTypes?: ICredentialType[];
}

export interface RunNodeResult {
	/** What the node produced, after n8n's engine output processing (error-output split included). */
	output: INodeExecutionData[][];
	/** Hints the node added with `this.addExecutionHints()`. */
	hints: NodeExecutionHint[];
	executionId: string;
	/** The node as it sat in the workflow (parameters with defaults filled in by n8n). */
	nodeData: INode;
}

export interface RunPollOptions {
	node: INodeType | IVersionedNodeType;
	parameters: INodeParameters;
	credentials?: TestCredentials;
	/** 'trigger' = an active workflow's scheduled poll; 'manual' = the editor's test fetch. Default 'trigger'. */
	mode?: 'trigger' | 'manual';
	/** The node's static data; the same object is handed to the node and mutated in place. */
	staticData?: IDataObject;
	/** Activation reason seen by `getActivationMode()` in trigger mode (default 'activate'). */
	activation?: WorkflowActivateMode;
	env?: Record<string, string>;
	typeVersion?: number;
	nodeName?: string;
	workflowSettings?: IWorkflowSettings;
	credentialTypes?: ICredentialType[];
}

// ---------------------------------------------------------------------------------------------
// Secret scan (see ./secrets.ts)

/**
 * Node types whose runs are scanned: the package's own nodes. Other node types (the harness
 * fixture) call n8n-core's `httpRequestWithAuthentication`, whose axios error keeps the key in
 * `error.cause.response.request._redirectable._currentUrl` (userinfo of the URL) — n8n's own
 * behaviour, which our transport exists to avoid; those runs are not scanned.
 */
const SCANNED_NODE_TYPES = new Set(['scaleNucleus', 'scaleNucleusTrigger']);

/**
 * Runs `fn` and scans what it returned, or the error it threw, plus the new log lines, for the
 * credentials' secrets. A leak fails the run with a SecretLeakError (which never holds the secret;
 * the original error is not attached because it is the one that leaked).
 */
async function withSecretScan<T>(
	credentials: TestCredentials | undefined,
	fn: () => Promise<T>,
	parts: (result: T) => { output?: unknown; hints?: unknown },
	nodeType?: INodeType | IVersionedNodeType,
): Promise<T> {
	if (nodeType && !SCANNED_NODE_TYPES.has(descriptionOf(nodeType).name)) return await fn();
	let result: T;
	try {
		result = await fn();
	} catch (error) {
		const leak = scanRun(credentials, { error });
		if (leak) throw leak;
		throw error;
	}
	const leak = scanRun(credentials, parts(result));
	if (leak) throw leak;
	return result;
}

// ---------------------------------------------------------------------------------------------
// runNode

/** The engine's private output step (binary conversion + error-output split). */
interface EngineOutputStep {
	processNodeOutput(
		runNodeData: IRunNodeResponse,
		workflow: Workflow,
		executionData: IExecuteData,
		taskStartedData: { hints: NodeExecutionHint[] },
		runIndex: number,
	): Promise<{ nodeSuccessData: INodeExecutionData[][] | null | undefined }>;
}

/**
 * Runs `execute()` of `opts.node` once, in a real n8n-core ExecuteContext, on `opts.input`.
 * Throws whatever `execute()` throws (as n8n would mark the node failed).
 */
export async function runNode(opts: RunNodeOptions): Promise<RunNodeResult> {
	await ensureEnvironment();
	return await withSecretScan(
		opts.credentials,
		async () => await runNodeUnscanned(opts),
		(r) => ({ output: r.output, hints: r.hints }),
		opts.node,
	);
}

async function runNodeUnscanned(opts: RunNodeOptions): Promise<RunNodeResult> {
	return await withEnv(opts.env, async () => {
		const mode = opts.mode ?? 'manual';
		const executionId = opts.executionId ?? nextExecutionId();
		const credentialsHelper = new HarnessCredentialsHelper(opts.credentials, opts.credentialTypes);
		const additionalData = createAdditionalData(credentialsHelper, executionId);

		const node = buildNode(opts.node, opts.parameters, opts);
		const onError = opts.onError ?? (opts.continueOnFail ? 'continueRegularOutput' : undefined);
		if (onError) node.onError = onError;

		const inputNode: INode = {
			id: randomUUID(),
			name: INPUT_NODE_NAME,
			type: inputNodeType.description.name,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		};
		const nodeTypes = new HarnessNodeTypes()
			.register(node.type, opts.node)
			.register(inputNode.type, inputNodeType);
		const workflow = new Workflow({
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			nodes: [inputNode, node],
			connections: {
				[INPUT_NODE_NAME]: {
					main: [[{ node: node.name, type: NodeConnectionTypes.Main, index: 0 }]],
				},
			},
			active: false,
			nodeTypes,
			settings: { executionOrder: 'v1', ...opts.workflowSettings },
		});

		const input: INodeExecutionData[] = opts.input ?? [{ json: {} }];
		const items: INodeExecutionData[] = input.map((item, index) => ({
			...item,
			pairedItem: item.pairedItem ?? { item: index },
		}));
		const runExecutionData = createRunExecutionData({
			resultData: {
				runData: {
					[INPUT_NODE_NAME]: [
						{
							startTime: Date.now(),
							executionIndex: 0,
							executionTime: 0,
							executionStatus: 'success',
							source: [],
							data: { main: [items] },
						},
					],
				},
				lastNodeExecuted: INPUT_NODE_NAME,
			},
		});
		const executeData: IExecuteData = {
			node: workflow.getNode(node.name) as INode,
			data: { main: [items] },
			source: {
				main: [{ previousNode: INPUT_NODE_NAME, previousNodeOutput: 0, previousNodeRun: 0 }],
			},
		};

		const engine = new WorkflowExecute(additionalData, mode, runExecutionData);
		const abortSignal = opts.abortSignal ?? new AbortController().signal;
		const response = await engine.runNode(
			workflow,
			executeData,
			runExecutionData,
			0,
			additionalData,
			mode,
			abortSignal,
		);
		if (!('data' in response) || Array.isArray((response as { actions?: unknown }).actions)) {
			throw new UnexpectedError('The node asked the engine to run sub-nodes; not supported here');
		}
		const runNodeResponse = response as IRunNodeResponse;
		const { nodeSuccessData } = await (engine as unknown as EngineOutputStep).processNodeOutput(
			runNodeResponse,
			workflow,
			executeData,
			{ hints: [] },
			0,
		);
		return {
			output: nodeSuccessData ?? [],
			hints: runNodeResponse.hints ?? [],
			executionId,
			nodeData: executeData.node,
		};
	});
}

// ---------------------------------------------------------------------------------------------
// runPoll

/**
 * Runs `poll()` of a polling trigger once, in a real n8n-core PollContext.
 * Returns what `poll()` returns (`null` = nothing new); throws what it throws.
 */
export async function runPoll(opts: RunPollOptions): Promise<INodeExecutionData[][] | null> {
	await ensureEnvironment();
	return await withSecretScan(
		opts.credentials,
		async () => await runPollUnscanned(opts),
		(output) => ({ output }),
		opts.node,
	);
}

async function runPollUnscanned(opts: RunPollOptions): Promise<INodeExecutionData[][] | null> {
	return await withEnv(opts.env, async () => {
		const mode = opts.mode ?? 'trigger';
		const credentialsHelper = new HarnessCredentialsHelper(opts.credentials, opts.credentialTypes);
		const additionalData = createAdditionalData(credentialsHelper, nextExecutionId());
		// n8n runs polls outside an execution: there is no execution id yet.
		delete additionalData.executionId;

		const node = buildNode(opts.node, opts.parameters, opts);
		const nodeTypes = new HarnessNodeTypes().register(node.type, opts.node);
		const staticData = opts.staticData ?? {};
		const workflow = new Workflow({
			id: WORKFLOW_ID,
			name: 'Harness workflow',
			nodes: [node],
			connections: {},
			active: mode === 'trigger',
			nodeTypes,
			// Node static data lives under `node:<name>`; n8n wraps it in an observable proxy
			// whose target is this very object, so the node's changes land in `staticData`.
			staticData: { [`node:${node.name}`]: staticData },
			settings: { executionOrder: 'v1', ...opts.workflowSettings },
		});
		const workflowNode = workflow.getNode(node.name) as INode;

		const nodeType = nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		if (!nodeType.poll) throw new UnexpectedError(`${node.type} has no poll() method`);

		// Manual: as WorkflowExecute.executePollNode builds it; trigger: as the active-workflow
		// manager does for a scheduled poll (static data taken from the workflow).
		const context =
			mode === 'manual'
				? new PollContext(workflow, workflowNode, additionalData, 'manual', 'manual')
				: new PollContext(
						workflow,
						workflowNode,
						additionalData,
						'trigger',
						opts.activation ?? 'activate',
					);
		return await nodeType.poll.call(context);
	});
}

// ---------------------------------------------------------------------------------------------
// Binary data

let binaryItemCounter = 0;

/**
 * An input item whose binary property is stored by n8n's BinaryDataService in filesystem mode:
 * the binary has an `id` (`filesystem-v2:...`) and `.data` is only a mode marker.
 */
export async function makeBinaryItem(
	content: Buffer | Readable,
	fileName: string,
	mimeType: string,
	json: IDataObject = {},
	propertyName = 'data',
): Promise<INodeExecutionData> {
	await ensureEnvironment();
	binaryItemCounter += 1;
	const binary = await prepareBinaryData(
		content,
		`input${binaryItemCounter}`,
		WORKFLOW_ID,
		fileName,
		mimeType,
	);
	return { json, binary: { [propertyName]: binary } };
}

/** Folder where n8n's BinaryDataService keeps binaries for this process (under a temp dir). */
export function binaryDataDir(): string {
	return currentEnvironment().binaryDataDir;
}

/** Resolves once n8n-core is set up (temp n8n folder, logger, binary data service). */
export async function initHarness(): Promise<{ binaryDataDir: string; n8nFolder: string }> {
	const env = await ensureEnvironment();
	return { binaryDataDir: env.binaryDataDir, n8nFolder: env.n8nFolder };
}

// ---------------------------------------------------------------------------------------------
// Credential test

export interface TestCredentialOptions {
	credentialTypes?: ICredentialType[];
	/** The node types n8n knows, searched for `testedBy` (default: this package's two nodes). */
	nodeTypes?: INodeType[];
	env?: Record<string, string>;
}

/**
 * Runs a credential's test the way n8n's CredentialsTester does for the "Test" button
 * (n8n/dist/services/credentials-tester.service.js, getCredentialTestFunction): the credential
 * type's own `test` first; else the first node type whose credential entry names a `testedBy`: a
 * function of its `methods.credentialTest`, called with a CredentialTestContext and the decrypted
 * credential, or a test request. A test request runs as n8n runs it: a temporary declarative node
 * whose only property routes to the request, run by n8n-core's RoutingNode in an ExecuteContext with
 * the credential applied.
 */
export async function testCredential(
	credentials: TestCredentials,
	type = 'scaleNucleusApi',
	opts: TestCredentialOptions = {},
): Promise<INodeCredentialTestResult> {
	await ensureEnvironment();
	return await withSecretScan(
		credentials,
		async () => await testCredentialUnscanned(credentials, type, opts),
		(output) => ({ output }),
	);
}

/** This package's node types, as n8n loads them from package.json. */
function packageNodeTypes(): INodeType[] {
	return [new ScaleNucleus(), new ScaleNucleusTrigger()];
}

/** The credential test n8n would pick for `type` (see testCredential). */
function credentialTestOf(
	credentialType: ICredentialType,
	nodeTypes: INodeType[],
): ICredentialTestFunction | ICredentialTestRequest | undefined {
	if (credentialType.test) return credentialType.test;
	for (const nodeType of nodeTypes) {
		for (const { name, testedBy } of nodeType.description.credentials ?? []) {
			if (name !== credentialType.name || !testedBy) continue;
			if (typeof testedBy !== 'string') return testedBy;
			return nodeType.methods?.credentialTest?.[testedBy];
		}
	}
	return undefined;
}

async function testCredentialUnscanned(
	credentials: TestCredentials,
	type: string,
	opts: TestCredentialOptions,
): Promise<INodeCredentialTestResult> {
	return await withEnv(opts.env, async () => {
		const credentialsHelper = new HarnessCredentialsHelper(credentials, opts.credentialTypes);
		const credentialType = credentialsHelper.getType(type);
		const test = credentialTestOf(credentialType, opts.nodeTypes ?? packageNodeTypes());
		const reference = credentialReference(type);
		const data: ICredentialDataDecryptedObject = await credentialsHelper.getDecrypted(
			{} as IWorkflowExecuteAdditionalData,
			reference,
			type,
			'internal',
		);
		if (typeof test === 'function') {
			const context = new CredentialTestContext();
			return await test.call(context, {
				id: reference.id as string,
				name: reference.name,
				type,
				data,
			});
		}
		const testRequest = test;
		if (!testRequest?.request) {
			return { status: 'Error', message: 'No testing function found for this credential.' };
		}

		const testNodeType: INodeType = {
			description: {
				displayName: 'Credential test',
				name: 'harness.credentialTest',
				group: ['transform'],
				version: 1,
				description: 'Temporary node for a credential test',
				defaults: { name: 'Temp-Node' },
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main],
				credentials: [{ name: type, required: true }],
				properties: [
					{
						displayName: 'Temp',
						name: 'temp',
						type: 'string',
						routing: { request: testRequest.request },
						default: '',
					},
				],
			},
		};
		const node: INode = {
			id: 'temp',
			name: 'Temp-Node',
			type: testNodeType.description.name,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
			credentials: { [type]: reference },
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: new HarnessNodeTypes().register(node.type, testNodeType),
		});
		const additionalData = createAdditionalData(credentialsHelper, nextExecutionId());
		const context = new ExecuteContext(
			workflow,
			node,
			additionalData,
			'internal',
			createRunExecutionData({ resultData: { runData: {} } }),
			0,
			[],
			{ main: [[{ json: {} }]] },
			{ node, data: {}, source: null },
			[],
		);
		const routingNode = new RoutingNode(context, testNodeType, {
			id: reference.id as string,
			name: reference.name,
			type,
			data,
		});

		try {
			await routingNode.runNode();
		} catch (error) {
			const cause = (
				error as { cause?: { response?: { status: number; statusText?: string }; code?: string } }
			).cause;
			if (cause?.response) {
				const { status, statusText } = cause.response;
				for (const rule of testRequest.rules ?? []) {
					if (rule.type === 'responseCode' && rule.properties.value === status) {
						return { status: 'Error', message: rule.properties.message };
					}
				}
				if (status < 199 || status > 299) {
					return { status: 'Error', message: statusText || `Received HTTP status code: ${status}` };
				}
			} else if (cause?.code) {
				return { status: 'Error', message: cause.code };
			}
			return { status: 'Error', message: String((error as Error).message) };
		}
		return { status: 'OK', message: 'Connection successful!' };
	});
}
