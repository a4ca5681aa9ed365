import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { MAX_REQUEST_TIMEOUT_S } from '../../shared/descriptions';
import { asNodeError } from '../../shared/errors';
import { numberInRange } from '../../shared/options';
import {
	DEFAULT_MAX_ATTEMPTS,
	DEFAULT_REQUEST_TIMEOUT_MS,
	MAX_ATTEMPTS_LIMIT,
	NucleusClient,
	redactDeep,
	redactError,
} from '../../shared/transport';
import * as dataset from './dataset/Dataset.resource';
import { MAX_CONCURRENCY as MAX_CONNECTIONS } from './datasetItem/append/description';
import { errorItem } from './errorItem';
import { describeOutputProblems, outputProblems } from './outputInvariant';
import * as datasetItem from './datasetItem/DatasetItem.resource';
import * as job from './job/Job.resource';
import type { ScaleNucleusType } from './node.type';
import type { OperationModule } from './types';

const resources: Record<string, Record<string, OperationModule>> = {
	dataset: dataset.operations,
	datasetItem: datasetItem.operations,
	job: job.operations,
};

/**
 * Options → Max Attempts and Request Timeout (Seconds), read once for the run from the first item:
 * the client, and so its retry policy, is shared by all items. Checked before any request; numeric
 * text (what an expression gives) is read as the number, as for every other number option.
 */
function requestOptions(ctx: IExecuteFunctions): { maxAttempts: number; requestTimeoutMs: number } {
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const node = ctx.getNode();
	const given = (raw: unknown) => raw !== undefined && raw !== null && raw !== '';
	const rawAttempts = options.maxAttempts;
	const maxAttempts = given(rawAttempts)
		? numberInRange(rawAttempts, { min: 1, max: MAX_ATTEMPTS_LIMIT, whole: true })
		: DEFAULT_MAX_ATTEMPTS;
	if (maxAttempts === undefined) {
		throw new NodeOperationError(
			node,
			`Options → Max Attempts must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}, but is ${JSON.stringify(rawAttempts)}`,
			{ description: '1 sends each request once; the default is 5.' },
		);
	}
	const rawTimeout = options.requestTimeout;
	const timeout = given(rawTimeout)
		? numberInRange(rawTimeout, { min: 1, max: MAX_REQUEST_TIMEOUT_S })
		: DEFAULT_REQUEST_TIMEOUT_MS / 1000;
	if (timeout === undefined) {
		throw new NodeOperationError(
			node,
			`Options → Request Timeout (Seconds) must be a number of seconds from 1 to ${MAX_REQUEST_TIMEOUT_S}, but is ${JSON.stringify(rawTimeout)}`,
			{ description: 'Nucleus ends every API call after one minute; the default is 60.' },
		);
	}
	return { maxAttempts, requestTimeoutMs: Math.round(timeout * 1000) };
}

/**
 * The output of an operation that pairs it itself, checked against what it promises
 * (outputInvariant.ts): a broken promise is a bug in the node, and fails the run naming the items
 * rather than dropping them.
 */
function checkedOutput(
	ctx: IExecuteFunctions,
	module: Extract<OperationModule, { execute: unknown }>,
	output: INodeExecutionData[],
	inputCount: number,
): INodeExecutionData[] {
	const problems = outputProblems(output, inputCount, module.output);
	if (!problems) return output;
	throw new NodeOperationError(
		ctx.getNode(),
		`The node's output does not account for every input item: ${describeOutputProblems(problems)}`,
		{
			description:
				'This is a bug in the Scale Nucleus node, not in your data: please report it. What Nucleus answered may still hold for these items; check them with Dataset Item → Get or the Job operations.',
			failure: { cause: 'node-defect' },
		},
	);
}

/** What leaves the node: URL user info is removed from every string of the output and of errors. */
function redactItem(item: INodeExecutionData): INodeExecutionData {
	const json = redactDeep(item.json);
	if (item.error) redactError(item.error);
	return json === item.json ? item : { ...item, json };
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as ScaleNucleusType['resource'];
	const operation = this.getNodeParameter('operation', 0) as string;
	const module = resources[resource]?.[operation];
	if (!module) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of resource "${resource}" is not supported`,
		);
	}

	// Sockets open only when used, so the pool's cap is the most any operation may have in flight.
	const client = await NucleusClient.fromContext(this, {
		connections: MAX_CONNECTIONS,
		...requestOptions(this),
	});
	try {
		// A whole-input operation (Append) answers for every item itself, On Error → Continue included.
		if (module.execute) {
			try {
				const output = await module.execute.call(this, items, client);
				return [checkedOutput(this, module, output, items.length).map(redactItem)];
			} catch (error) {
				throw redactError(asNodeError(this.getNode(), error));
			}
		}
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const data = redactDeep(await module.executeItem!.call(this, i, client));
				out.push(
					...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(data), {
						itemData: { item: i },
					}),
				);
			} catch (error) {
				if (this.continueOnFail() && !this.getExecutionCancelSignal()?.aborted) {
					out.push(redactItem(errorItem(this.getNode(), error, i)));
					continue;
				}
				throw redactError(asNodeError(this.getNode(), error, i));
			}
		}
		return [out];
	} finally {
		await client.close();
	}
}
