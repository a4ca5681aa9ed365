import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { jobIdParameter } from '../../../shared/descriptions';
import { jobIdOf } from '../common';
import type { NucleusClient } from '../../../shared/transport';
import { getJobStatus } from '../../../shared/api/jobs';
import { jobStatusJson } from '../../../shared/jobs/status';

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getStatus'] } },
	[jobIdParameter],
);

export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const jobId = jobIdOf(this, itemIndex);
	return jobStatusJson(await getJobStatus(client, jobId, { itemIndex }));
}
