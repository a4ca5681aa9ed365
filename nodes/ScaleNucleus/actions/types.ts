import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { NucleusClient } from '../../shared/transport';

/**
 * An operation either works item by item (`executeItem`: the router adds pairedItem and
 * Continue On Fail) or on the whole input at once (`execute`: batching operations such as
 * Append Items, which pair and report every item themselves).
 */
export interface OperationModule {
	description: INodeProperties[];
	executeItem?: (
		this: IExecuteFunctions,
		itemIndex: number,
		client: NucleusClient,
	) => Promise<IDataObject | IDataObject[]>;
	execute?: (
		this: IExecuteFunctions,
		items: INodeExecutionData[],
		client: NucleusClient,
	) => Promise<INodeExecutionData[]>;
}
