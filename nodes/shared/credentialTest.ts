/**
 * The Scale Nucleus API credential's test ("Test" and every save in the editor), declared by both
 * nodes (`testedBy` on their credential entry). n8n's declarative test request calls any 2xx a
 * pass, so a sign-in page or a proxy's "welcome" would pass it; this one reads `GET dataset/details`
 * through the nodes' own transport (no redirect followed, the key never in a message) and passes
 * only on Nucleus's dataset list.
 */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INode,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { listDatasets } from './api/datasets';
import { UnexpectedAnswerError } from './api/unexpected';
import type { NucleusCredentials } from './api/types';
import { oneLine } from './text';
import { NucleusClient } from './transport';

/** The name both nodes give in `testedBy`. */
export const CREDENTIAL_TEST = 'scaleNucleusApiTest';

/** A credential test has no node; errors need one for their context. */
const TEST_NODE: INode = {
	id: 'scale-nucleus-credential-test',
	name: 'Scale Nucleus credential test',
	type: 'n8n-nodes-scale-nucleus.scaleNucleus',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** One attempt, a short wait: the editor is waiting for the answer. */
const TEST_TIMEOUT_MS = 20_000;

const STATUS_MESSAGES: Record<number, string> = {
	401: 'Nucleus refused the API Key (HTTP 401 Unauthorized): check the API Key field holds a Scale API key (live or test), copied whole',
	403: 'Nucleus refused access with this API Key (HTTP 403 Forbidden): check the API Key field holds a key of the account that owns the datasets',
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** What the test says for the error of the dataset listing (pure: every message already scrubbed). */
export function credentialTestFailure(error: unknown): string {
	if (error instanceof NodeApiError && error.httpCode) {
		const status = Number(error.httpCode);
		if (STATUS_MESSAGES[status]) return STATUS_MESSAGES[status];
		if (REDIRECTS.has(status)) {
			return `The Base URL answered with a redirect (HTTP ${status}); set it to the address the API is served from, which the node calls directly`;
		}
	}
	if (error instanceof UnexpectedAnswerError) {
		return `The Base URL did not answer like the Nucleus API: ${oneLine(error.message, 300)}. Check that it points at the Nucleus API (for example https://api.scale.com/v1/nucleus)`;
	}
	return error instanceof Error ? oneLine(error.message, 400) : 'The credential test failed';
}

export async function testNucleusCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let client: NucleusClient | undefined;
	try {
		client = new NucleusClient(
			TEST_NODE,
			(credential.data ?? {}) as unknown as NucleusCredentials,
			{
				maxAttempts: 1,
				requestTimeoutMs: TEST_TIMEOUT_MS,
				connections: 1,
			},
		);
		await listDatasets(client);
		return { status: 'OK', message: 'Connection successful!' };
	} catch (error) {
		return { status: 'Error', message: credentialTestFailure(error) };
	} finally {
		await client?.close();
	}
}
