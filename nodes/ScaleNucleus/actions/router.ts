import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../../shared/errors';
import { NucleusClient } from '../../shared/transport';
import * as dataset from './dataset/Dataset.resource';
import { MAX_CONCURRENCY as MAX_CONNECTIONS } from './datasetItem/append/description';
import { errorItem } from './errorItem';
import * as datasetItem from './datasetItem/DatasetItem.resource';
import * as job from './job/Job.resource';
import type { ScaleNucleusType } from './node.type';
import type { OperationModule } from './types';

const resources: Record<string, Record<string, OperationModule>> = {
	dataset: dataset.operations,
	datasetItem: datasetItem.operations,
	job: job.operations,
};

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
	const client = await NucleusClient.fromContext(this, { connections: MAX_CONNECTIONS });
	try {
		// A whole-input operation (Append) answers for every item itself, On Error → Continue included.
		if (module.execute) {
			try {
				return [await module.execute.call(this, items, client)];
			} catch (error) {
				throw asNodeError(this.getNode(), error);
			}
		}
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const data = await module.executeItem!.call(this, i, client);
				out.push(
					...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(data), {
						itemData: { item: i },
					}),
				);
			} catch (error) {
				if (this.continueOnFail() && !this.getExecutionCancelSignal()?.aborted) {
					out.push(errorItem(this.getNode(), error, i));
					continue;
				}
				throw asNodeError(this.getNode(), error, i);
			}
		}
		return [out];
	} finally {
		await client.close();
	}
}
