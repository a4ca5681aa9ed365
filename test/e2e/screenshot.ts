/**
 * Takes docs/demo-workflow.png: example 1 on n8n's canvas after a run, in headless Chromium.
 *
 *   npx tsx test/e2e/screenshot.ts [--out docs/demo-workflow.png] [--chromium /usr/bin/chromium]
 *
 * Needs Chromium from Debian (`apt-get install chromium`) and playwright-core (a devDependency;
 * or point PLAYWRIGHT_CORE_DIR at an installed copy). Starts the emulator and n8n like
 * `npm run demo -- --ui`, signs in as the demo owner, opens example 1, runs it from the editor
 * and saves the canvas with its item counts.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { cleanupWorkRoot, DEMO_OWNER, REPO_ROOT } from './n8n';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from './stack';

interface PwPage {
	goto(url: string, opts?: Record<string, unknown>): Promise<unknown>;
	fill(selector: string, value: string): Promise<void>;
	click(selector: string, opts?: Record<string, unknown>): Promise<void>;
	waitForURL(pattern: RegExp, opts?: Record<string, unknown>): Promise<void>;
	waitForSelector(selector: string, opts?: Record<string, unknown>): Promise<unknown>;
	waitForTimeout(ms: number): Promise<void>;
	screenshot(opts: Record<string, unknown>): Promise<Buffer>;
	keyboard: { press(key: string): Promise<void> };
	locator(selector: string): {
		first(): {
			click(opts?: Record<string, unknown>): Promise<void>;
			isVisible(): Promise<boolean>;
		};
	};
	getByText(text: string | RegExp): {
		first(): { waitFor(opts?: Record<string, unknown>): Promise<void> };
	};
}
interface PwBrowser {
	newPage(opts: Record<string, unknown>): Promise<PwPage>;
	close(): Promise<void>;
}
interface PlaywrightCore {
	chromium: { launch(opts: Record<string, unknown>): Promise<PwBrowser> };
}

function loadPlaywright(): PlaywrightCore {
	const candidates = [process.env.PLAYWRIGHT_CORE_DIR, 'playwright-core'].filter(
		Boolean,
	) as string[];
	const req = createRequire(path.join(REPO_ROOT, 'package.json'));
	for (const c of candidates) {
		try {
			return req(c) as PlaywrightCore;
		} catch {
			// next
		}
	}
	throw new Error(
		'playwright-core not found: install it (devDependency) or set PLAYWRIGHT_CORE_DIR',
	);
}

function arg(name: string): string | undefined {
	const i = process.argv.indexOf(name);
	return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
	const out = path.resolve(arg('--out') ?? path.join(REPO_ROOT, 'docs', 'demo-workflow.png'));
	const chromiumPath =
		arg('--chromium') ??
		['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
	if (!chromiumPath)
		throw new Error('Chromium not found: apt-get install chromium (or pass --chromium PATH)');
	const { chromium } = loadPlaywright();

	let stack: Stack | undefined;
	let browser: PwBrowser | undefined;
	try {
		stack = await startStack({ label: 'screenshot' });
		const { emu, n8n } = stack;
		const datasetId = emu.createDataset('demo: remote images');
		const wf = await exampleWorkflow(n8n, EXAMPLES.remoteAsync, { datasetId });
		await n8n.importWorkflow(wf);
		const baseUrl = await n8n.start();
		await n8n.setupOwner(DEMO_OWNER);

		browser = await chromium.launch({
			executablePath: chromiumPath,
			headless: true,
			args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
		});
		const page = await browser.newPage({
			viewport: { width: 1440, height: 720 },
			deviceScaleFactor: 1,
		});
		await page.goto(`${baseUrl}/signin`, { waitUntil: 'networkidle' });
		await page.fill(
			'input[type="email"], input[name="emailOrLdapLoginId"], input[name="email"]',
			DEMO_OWNER.email,
		);
		await page.fill('input[type="password"]', DEMO_OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/home|\/workflows|\/projects/, { timeout: 30_000 });

		await page.goto(`${baseUrl}/workflow/${wf.id}`, { waitUntil: 'networkidle' });
		await page.waitForSelector('[data-test-id="canvas-node"]', { timeout: 30_000 });
		// Run it from the editor so the canvas shows the item counts on every connection.
		await page.locator('[data-test-id="execute-workflow-button"]').first().click();
		await page
			.getByText(/990 items/)
			.first()
			.waitFor({ timeout: 60_000 });
		await page.waitForTimeout(1500);
		// Close any panel or toast, then fit the canvas to the view.
		await page.keyboard.press('Escape');
		await page
			.click('[data-test-id="canvas-wrapper"], .vue-flow__pane', {
				position: { x: 40, y: 600 },
				force: true,
			})
			.catch(() => undefined);
		await page.keyboard.press('1');
		await page.waitForTimeout(1000);
		await mkdir(path.dirname(out), { recursive: true });
		await page.screenshot({ path: out });
		process.stdout.write(`saved ${path.relative(process.cwd(), out) || out}\n`);
	} finally {
		await browser?.close();
		await stack?.close();
		await cleanupWorkRoot();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`screenshot failed: ${(error as Error).stack ?? String(error)}\n`);
	process.exit(1);
});
