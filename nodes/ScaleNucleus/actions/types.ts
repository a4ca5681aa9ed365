import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import type { NucleusClient } from '../../shared/transport';
import type { OutputPromise } from './outputInvariant';

/**
 * An operation either works item by item (`executeItem`: the router adds pairedItem and
 * Continue On Fail) or on the whole input at once (`execute`: batching operations such as
 * Append Items, which pair and report every item themselves, and declare in `output` what they
 * promise about it; the router checks that promise, outputInvariant.ts).
 */
export type OperationModule = { description: INodeProperties[] } & (
	| {
			executeItem: (
				this: IExecuteFunctions,
				itemIndex: number,
				client: NucleusClient,
			) => Promise<IDataObject | IDataObject[]>;
			execute?: undefined;
	  }
	| {
			execute: (
				this: IExecuteFunctions,
				items: INodeExecutionData[],
				client: NucleusClient,
			) => Promise<INodeExecutionData[]>;
			output: OutputPromise;
			executeItem?: undefined;
	  }
);
