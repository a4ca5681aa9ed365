/** The test of the bucket credential, run by n8n from the node (`testedBy`): one signed ListBuckets. */
import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { request } from 'undici';

import { bucketCredentials } from './credentials';
import { signedServiceRequest } from './request';

export async function testBucketCredential(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	let creds;
	try {
		creds = bucketCredentials(credential.data ?? {});
	} catch (error) {
		return { status: 'Error', message: (error as Error).message };
	}
	const { url, headers } = signedServiceRequest(creds);
	try {
		const res = await request(url, {
			method: 'GET',
			headers,
			headersTimeout: 15_000,
			bodyTimeout: 15_000,
		});
		const body = await res.body.text();
		if (res.statusCode === 200) return { status: 'OK', message: 'Connection successful' };
		const code = /<Code>([^<]{1,100})<\/Code>/.exec(body)?.[1];
		if (res.statusCode === 403 && code === 'AccessDenied') {
			return {
				status: 'OK',
				message: 'The keys are valid; they may not list every bucket, which the node does not need',
			};
		}
		return {
			status: 'Error',
			message: `The store refused the keys (HTTP ${res.statusCode}${code ? ` ${code}` : ''})`,
		};
	} catch (error) {
		return {
			status: 'Error',
			message: `The endpoint could not be reached: ${(error as { code?: string }).code ?? (error as Error).message}`,
		};
	}
}
