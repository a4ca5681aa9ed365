import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { DEFAULT_CONCURRENCY } from '../../shared/append';
import { asNodeError } from '../../shared/errors';
import { NucleusClient } from '../../shared/transport';
import * as dataset from './dataset/Dataset.resource';
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

	const options = (this.getNodeParameter('options', 0, {}) ?? {}) as IDataObject;
	const concurrency = Number(options.concurrency ?? 0);
	const client = await NucleusClient.fromContext(this, {
		// One socket per request the append pool may have in flight (sockets open only when used).
		connections: Math.max(DEFAULT_CONCURRENCY, concurrency || 0),
	});
	try {
		if (module.execute) {
			try {
				return [await module.execute.call(this, items, client)];
			} catch (error) {
				if (!this.continueOnFail() || this.getExecutionCancelSignal()?.aborted) {
					throw asNodeError(this.getNode(), error);
				}
				return [
					items.map((_, i) => ({
						json: { error: (error as Error).message },
						pairedItem: { item: i },
					})),
				];
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
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
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
