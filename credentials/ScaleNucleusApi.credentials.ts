import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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

	/**
	 * n8n runs this request through its HTTP helper, which follows redirects and, by default, sends the
	 * Basic auth again to whatever host a redirect names (n8n-core's getBeforeRedirectFn:
	 * `sendCredentialsOnCrossOriginRedirect ?? true`). Redirects are not followed here, as the nodes'
	 * transport does not follow them either: a Base URL that redirects fails the test with its 3xx.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/dataset/details',
			method: 'GET',
			disableFollowRedirect: true,
			sendCredentialsOnCrossOriginRedirect: false,
		},
		// n8n shows a rule's message instead of its generic "Couldn't connect with these settings"
		// (CredentialsTester: a failed test request whose status code matches a responseCode rule).
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Nucleus refused the API Key (HTTP 401 Unauthorized): check the API Key field holds a Scale API key (live or test), copied whole',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Nucleus refused access with this API Key (HTTP 403 Forbidden): check the API Key field holds a key of the account that owns the datasets',
				},
			},
			...[301, 302, 303, 307, 308].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The Base URL answered with a redirect (HTTP ${value}); set it to the address the API is served from, which the node calls directly`,
				},
			})),
		],
	};
}
