import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { jobIdParameter } from '../../../shared/descriptions';
import type { NucleusClient } from '../../../shared/transport';
import { getJobStatus, jobStatusJson } from '../../../shared/waitForJob';

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getStatus'] } },
	[jobIdParameter],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const jobId = (this.getNodeParameter('jobId', itemIndex) as string).trim();
	return jobStatusJson(await getJobStatus(client, jobId, itemIndex));
}
