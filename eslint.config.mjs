import { configWithoutCloudSupport } from '@n8n/node-cli/eslint';

export default [
	...configWithoutCloudSupport,
	// Tests, the emulator, the demo and benchmarks are not shipped (files: ["dist"]) and use dev-only packages and the console.
	{ ignores: ['test/**', 'dist/**', 'node_modules/**'] },
	{
		files: ['package.json'],
		rules: {
			// undici (HTTP transport), form-data (streamed multipart), aws4 (Signature V4 of bucket listings) and fast-xml-parser (their XML answers) are the project's chosen runtime dependencies; this package is not cloud-eligible by design.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
		},
	},
];
