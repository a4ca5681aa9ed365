/**
 * The emulator plus a real n8n with this package and the emulator credential, as the e2e tests,
 * the demo and the screenshot script use them.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';
import {
	EXAMPLE_CREDENTIAL,
	loadWorkflow,
	nucleusCredential,
	prepareN8n,
	replaceInWorkflow,
	type N8n,
	type PrepareOptions,
	type WorkflowJson,
} from './n8n';

/** The dataset id placeholder in examples/*.json. */
export const DATASET_PLACEHOLDER = 'ds_REPLACE_WITH_YOUR_DATASET_ID';
/** The folder placeholder of examples/02 (n8n 2.x's default allowed folder in Docker). */
export const FOLDER_PLACEHOLDER = '/home/node/.n8n-files';

export const EXAMPLES = {
	remoteAsync: '01-remote-async-append.json',
	localFiles: '02-local-files-append.json',
	reingest: '03-reingest-update.json',
	badInput: '04-bad-input-error-output.json',
	trigger: '05-job-finished-trigger.json',
	retag: '06-retag-metadata-list-jobs.json',
} as const;

export interface Stack {
	emu: Emulator;
	n8n: N8n;
	close(): Promise<void>;
}

export async function startStack(
	options: PrepareOptions & { emulator?: EmulatorOptions } = {},
): Promise<Stack> {
	const emu = await startEmulator({ profile: 'fast', ...options.emulator });
	let n8n: N8n | undefined;
	try {
		n8n = await prepareN8n(options);
		await n8n.importCredentials([nucleusCredential(emu.apiKey, emu.baseUrl, EXAMPLE_CREDENTIAL)]);
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
