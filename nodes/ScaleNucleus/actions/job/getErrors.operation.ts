import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { jobIdParameter } from '../../../shared/descriptions';
import { jobIdOf } from '../common';
import type { NucleusClient } from '../../../shared/transport';
import { getJobErrors } from '../../../shared/api/jobs';

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['getErrors'] } },
	[jobIdParameter],
);

/** One item per job: the error lines (the API keeps the 10,000 most recent) and their count. */
export async function executeItem(
	this: IExecuteFunctions,
	itemIndex: number,
	client: NucleusClient,
): Promise<IDataObject> {
	const jobId = jobIdOf(this, itemIndex);
	const errors = await getJobErrors(client, jobId, itemIndex);
	return {
		job_id: jobId,
		error_count: errors.length,
		errors: errors.map((e) => e.text),
	};
}
