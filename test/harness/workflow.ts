/**
 * The one-node workflow the harness runs a node in (./index.ts): the node types n8n looks up (our
 * node and a stand-in "Input" node that feeds it), the workflow's additional data (URLs, credential
 * helper; sub-workflows and task runners are not available), and the INode built from a node type
 * and its parameters.
 */
import { randomUUID } from 'node:crypto';
import {
	NodeConnectionTypes,
	NodeHelpers,
	UnexpectedError,
	type IDataObject,
	type INode,
	type INodeParameters,
	type INodeType,
	type INodeTypeDescription,
	type INodeTypes,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import {
	credentialReference,
	type HarnessCredentialsHelper,
	type TestCredentials,
} from './credentials';

/** npm package name our node types are registered under (as n8n names them when installed). */
export const PACKAGE_NAME = 'n8n-nodes-scale-nucleus';
export const WORKFLOW_ID = 'HarnessWorkflow1';
export const INPUT_NODE_NAME = 'Input';

// ---------------------------------------------------------------------------------------------
// Node types

function latestVersion(nodeType: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

export function descriptionOf(nodeType: INodeType | IVersionedNodeType): INodeTypeDescription {
	return (
		'nodeVersions' in nodeType
			? nodeType.nodeVersions[nodeType.currentVersion].description
			: nodeType.description
	) as INodeTypeDescription;
}

/** The type string n8n gives an installed community node: `<package>.<description.name>`. */
export function nodeTypeName(nodeType: INodeType | IVersionedNodeType): string {
	const { name } = descriptionOf(nodeType);
	return name.includes('.') ? name : `${PACKAGE_NAME}.${name}`;
}

/** Stands in for the node feeding our node its input items. */
export const inputNodeType: INodeType = {
	description: {
		displayName: 'Input',
		name: 'harness.input',
		group: ['input'],
		version: 1,
		description: 'Harness stand-in for the node that produced the input items',
		defaults: { name: INPUT_NODE_NAME },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
};

export class HarnessNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	register(name: string, type: INodeType | IVersionedNodeType) {
		this.types.set(name, type);
		return this;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new UnexpectedError(`Unknown node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

let executionCounter = 0;

export function nextExecutionId(): string {
	executionCounter += 1;
	return `${process.pid}${String(executionCounter).padStart(4, '0')}`;
}

function notAvailable(what: string) {
	return async () => {
		throw new UnexpectedError(`${what} is not available in the test harness`);
	};
}

export function createAdditionalData(
	credentialsHelper: HarnessCredentialsHelper,
	executionId: string,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper,
		executionId,
		workflowId: WORKFLOW_ID,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		executeWorkflow: notAvailable('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('startRunnerTask'),
	} as unknown as IWorkflowExecuteAdditionalData;
}

export function buildNode(
	nodeType: INodeType | IVersionedNodeType,
	parameters: INodeParameters,
	opts: { typeVersion?: number; nodeName?: string; credentials?: TestCredentials },
): INode {
	const description = descriptionOf(nodeType);
	const node: INode = {
		id: randomUUID(),
		name: opts.nodeName ?? description.defaults.name ?? description.displayName,
		type: nodeTypeName(nodeType),
		typeVersion: opts.typeVersion ?? latestVersion(nodeType),
		position: [200, 0],
		// n8n's Workflow constructor fills in defaults in place; keep the caller's object intact.
		parameters: structuredClone(parameters),
	};
	const credentialTypes = Object.keys(opts.credentials ?? {});
	if (credentialTypes.length) {
		node.credentials = Object.fromEntries(
			credentialTypes.map((type) => [type, credentialReference(type)]),
		);
	}
	return node;
}
