import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { jobIdParameter } from '../../../shared/descriptions';
import { jobIdOf } from '../common';
import type { NucleusClient } from '../../../shared/transport';
import { getJobErrors } from '../../../shared/api/jobs';
import { jobStatusJson } from '../../../shared/jobs/status';
import { waitForJob } from '../../../shared/jobs/wait';

const properties: INodeProperties[] = [
	jobIdParameter,
	{
		displayName: 'Poll Interval (Seconds)',
		name: 'pollInterval',
		type: 'number',
		typeOptions: { minValue: 0.1 },
		default: 5,
		description: 'How often to check the job',
	},
	{
		displayName: 'Timeout (Seconds)',
		name: 'timeout',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 3600,
		description: 'How long to wait before failing with the job ID',
	},
	{
		displayName: 'Include Errors',
		name: 'includeErrors',
		type: 'boolean',
		default: true,
		description: 'Whether to fetch the job errors once it is finished',
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['waitForCompletion'] } },
	properties,
);

/**
 * Waits until the job is Completed, Cancelled or Errored* (never stops on Queued), then outputs
 * its status with `succeeded` and its errors, so an IF or Switch node can route it.
 */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const jobId = jobIdOf(this, itemIndex);
	const status = await waitForJob(this.getNode(), client, jobId, {
		intervalMs: (this.getNodeParameter('pollInterval', itemIndex, 5) as number) * 1000,
		timeoutMs: (this.getNodeParameter('timeout', itemIndex, 3600) as number) * 1000,
		signal: this.getExecutionCancelSignal(),
		itemIndex,
	});
	if (!this.getNodeParameter('includeErrors', itemIndex, true)) return jobStatusJson(status);
	const errors = await getJobErrors(client, jobId, itemIndex);
	return {
		...jobStatusJson(status),
		error_count: errors.length,
		errors: errors.map((e) => e.text),
	};
}
