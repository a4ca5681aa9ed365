/**
 * The emulator plus a real n8n with this package and the emulator credential (and, for the bucket
 * examples, an S3 credential), as the e2e tests, the demo and the screenshot script use them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';
import type { S3Server } from '../harness/s3';
import {
	EXAMPLE_CREDENTIAL,
	loadWorkflow,
	nucleusCredential,
	prepareN8n,
	replaceInWorkflow,
	type CredentialEntity,
	type N8n,
	type PrepareOptions,
	type WorkflowJson,
} from './n8n';

/** The dataset id placeholder in examples/*.json. */
export const DATASET_PLACEHOLDER = 'ds_REPLACE_WITH_YOUR_DATASET_ID';
/** The folder placeholder of examples/02 (n8n 2.x's default allowed folder in Docker). */
export const FOLDER_PLACEHOLDER = '/home/node/.n8n-files';

export const EXAMPLES = {
	firstAppend: '00-first-append.json',
	remoteAsync: '01-remote-async-append.json',
	localFiles: '02-local-files-append.json',
	reingest: '03-reingest-update.json',
	badInput: '04-bad-input-error-output.json',
	trigger: '05-job-finished-trigger.json',
	retag: '06-retag-metadata-list-jobs.json',
	bucketRemote: '07-scheduled-bucket-remote-append.json',
	bucketLocal: '08-private-bucket-local-upload.json',
} as const;

/** Credential id and name of n8n's S3 credential in examples 07 and 08. */
export const EXAMPLE_S3_CREDENTIAL = { id: 's3DemoCred1', name: 'S3 (local s3rver)' } as const;

/** n8n's `s3` credential (the generic S3 node's) for an S3-compatible server such as s3rver. */
export function s3Credential(
	s3: Pick<S3Server, 'endpoint' | 'region' | 'accessKeyId' | 'secretAccessKey'>,
	ref: { id: string; name: string } = EXAMPLE_S3_CREDENTIAL,
): CredentialEntity {
	return {
		id: ref.id,
		name: ref.name,
		type: 's3',
		data: {
			endpoint: s3.endpoint,
			region: s3.region,
			accessKeyId: s3.accessKeyId,
			secretAccessKey: s3.secretAccessKey,
			forcePathStyle: true,
			ignoreSSLIssues: false,
		},
	};
}

export interface Stack {
	emu: Emulator;
	n8n: N8n;
	close(): Promise<void>;
}

/**
 * The emulator and n8n with the Nucleus credential. With `s3`, n8n also gets the examples' S3
 * credential for that server, and the emulator reads `s3://` images from it (its s3Endpoint).
 */
export async function startStack(
	options: PrepareOptions & { emulator?: EmulatorOptions; s3?: S3Server } = {},
): Promise<Stack> {
	const emu = await startEmulator({
		profile: 'fast',
		...(options.s3 ? { s3Endpoint: options.s3.endpoint } : {}),
		...options.emulator,
	});
	let n8n: N8n | undefined;
	try {
		n8n = await prepareN8n(options);
		const credentials = [nucleusCredential(emu.apiKey, emu.baseUrl, EXAMPLE_CREDENTIAL)];
		if (options.s3) credentials.push(s3Credential(options.s3));
		await n8n.importCredentials(credentials);
	} catch (error) {
		await n8n?.cleanup();
		await emu.close();
		throw error;
	}
	const instance = n8n;
	return {
		emu,
		n8n: instance,
		async close() {
			try {
				await instance.cleanup();
			} finally {
				await emu.close();
			}
		},
	};
}

/**
 * An example workflow with its placeholders filled in: the dataset id and, for the local-files
 * example, a folder inside the instance's allowed files folder (created here).
 */
export async function exampleWorkflow(
	n8n: N8n,
	file: string,
	values: { datasetId: string; folder?: string; id?: string },
): Promise<WorkflowJson & { id: string }> {
	let wf = await loadWorkflow(file);
	wf = replaceInWorkflow(wf, DATASET_PLACEHOLDER, values.datasetId);
	const folder = values.folder ?? path.join(n8n.filesDir, path.basename(file, '.json'));
	if (JSON.stringify(wf).includes(FOLDER_PLACEHOLDER)) {
		await mkdir(folder, { recursive: true });
		wf = replaceInWorkflow(wf, FOLDER_PLACEHOLDER, folder);
	}
	if (values.id) wf.id = values.id;
	if (!wf.id) throw new Error(`${file} has no id`);
	return wf as WorkflowJson & { id: string };
}
