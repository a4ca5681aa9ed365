/**
 * Running the Scale Nucleus node against the emulator in a real n8n-core context, as the
 * integration tests do: the node, its Append Items parameters, and small input builders.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { ScaleNucleus } from '../../nodes/ScaleNucleus/ScaleNucleus.node.ts';
import type { Emulator } from '../emulator';
import { createTestCredentials, runNode, type RunNodeOptions } from '../harness';

export { ScaleNucleus };

export const rl = (value: string) => ({ __rl: true, mode: 'id', value });

export function appendParams(datasetId: string, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'datasetItem',
		operation: 'append',
		datasetId: rl(datasetId),
		referenceId: '={{ $json.ref }}',
		imageUrl: '={{ $json.url }}',
		...extra,
	};
}

export async function runScale(
	emu: Emulator,
	parameters: INodeParameters,
	input: INodeExecutionData[],
	more: Partial<RunNodeOptions> = {},
) {
	return await runNode({
		node: new ScaleNucleus(),
		parameters,
		input,
		credentials: createTestCredentials(emu.baseUrl, emu.apiKey),
		...more,
	});
}

export const json = (o: Record<string, unknown>): INodeExecutionData => ({
	json: o as IDataObject,
});
