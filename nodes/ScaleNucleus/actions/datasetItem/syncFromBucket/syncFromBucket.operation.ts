/**
 * Dataset Item → Sync from Bucket: keeps a dataset in step with a bucket prefix without one n8n
 * item per object. Each input item asks for one sync (or one folder listing); its outputs are
 * paired to it. The steps are files of this folder: params.ts (parameters, checked) → sync.ts (the
 * run) or listFolders.ts. The dataset is the state: a re-run after a crash or a failure sends only
 * what the dataset lacks.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bucketCredentials } from '../../../../shared/bucket';
import { BUCKET_CREDENTIAL_NAME } from '../../../../shared/bucket/credentials';
import { asNodeError } from '../../../../shared/errors';
import type { NucleusClient } from '../../../../shared/transport';
import { errorItem } from '../../errorItem';
import type { OutputPromise } from '../../outputInvariant';
import { listFolders } from './listFolders';
import { readLocation, readMaxPages, readSyncParams } from './params';
import { syncObjects } from './sync';

export { description } from './description';

/** Any number of output items per input item (its run's jobs, failures and summary, or its folders). */
export const output: OutputPromise = 'anyNumber';

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	let creds;
	try {
		creds = bucketCredentials(await this.getCredentials(BUCKET_CREDENTIAL_NAME));
	} catch (error) {
		throw new NodeOperationError(node, (error as Error).message, {
			description: 'Check the Scale Nucleus Bucket credential of this node.',
		});
	}
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			if (this.getNodeParameter('syncMode', i, 'sync') === 'listFolders') {
				const options = this.getNodeParameter('options', i, {}) as IDataObject;
				out.push(
					...(await listFolders(
						node,
						creds,
						readLocation(this, i),
						readMaxPages(this, options),
						i,
						this.getExecutionCancelSignal(),
					)),
				);
			} else {
				out.push(...(await syncObjects(this, client, creds, readSyncParams(this, i), i)));
			}
		} catch (error) {
			if (this.continueOnFail() && !this.getExecutionCancelSignal()?.aborted) {
				out.push(errorItem(node, error, i));
				continue;
			}
			throw asNodeError(node, error, i);
		}
	}
	return out;
}
