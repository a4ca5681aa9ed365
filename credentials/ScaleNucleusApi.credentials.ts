import type { IAuthenticateGeneric, ICredentialType, INodeProperties } from 'n8n-workflow';

export const DEFAULT_BASE_URL = 'https://api.scale.com/v1/nucleus';

export class ScaleNucleusApi implements ICredentialType {
	name = 'scaleNucleusApi';

	displayName = 'Scale Nucleus API';

	icon = { light: 'file:../icons/nucleus.svg', dark: 'file:../icons/nucleus.dark.svg' } as const;

	documentationUrl =
		'https://github.com/n8n-nodes-scale-nucleus/n8n-nodes-scale-nucleus?tab=readme-ov-file#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'From the Scale dashboard (dashboard.scale.com): your profile → API Key; only team Admins and Managers see keys. A live or a test key (Scale keeps the two modes apart). Sent as the Basic-auth username with an empty password.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: DEFAULT_BASE_URL,
			required: true,
			description:
				'Root of the Nucleus API. Change it only for a proxy or a Nucleus-compatible server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.apiKey}}',
				password: '',
			},
		},
	};

	// The test is the nodes' (`testedBy: 'scaleNucleusApiTest'`, nodes/shared/credentialTest.ts): n8n's
	// declarative test request passes on any 2xx, a sign-in page included, and n8n runs a credential's
	// own `test` in preference to a node's, so the credential declares none.
}
