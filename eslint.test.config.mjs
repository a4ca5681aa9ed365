// Lint for the code that is not shipped (tests, the emulator, the demo, benchmarks): the TypeScript
// rules most likely to catch real mistakes, without n8n's node-only rules (those apply to nodes/).
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ files: ['test/**/*.ts'], extends: [tseslint.configs.recommended] },
	{
		files: ['test/**/*.ts'],
		rules: {
			// Tests read untyped JSON answers and n8n outputs; `any` there is deliberate and local.
			'@typescript-eslint/no-explicit-any': 'off',
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
		},
	},
);
