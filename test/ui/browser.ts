/**
 * Debian's chromium driven by playwright-core, for the browser suite and the README's pictures.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium, selectors, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { runProcess } from '../e2e/n8n';

const INSTALL_SCRIPT = path.join(__dirname, 'install-chromium.sh');

/** Installs chromium on first use (install-chromium.sh) and returns its path. */
export async function ensureChromium(): Promise<string> {
	const result = await runProcess('bash', [INSTALL_SCRIPT], {
		stderr: 'inherit',
		timeoutMs: 20 * 60_000,
	});
	const lines = result.stdout.trim().split('\n');
	const bin = lines[lines.length - 1];
	if (result.code !== 0 || !bin) {
		throw new Error(`install-chromium.sh failed (exit ${String(result.code)}): ${result.stderr}`);
	}
	return bin;
}

/**
 * Flags for a machine without internet: without them chromium keeps trying Google's services
 * (component updates, sync, QUIC probes) and floods the log with refused connections.
 */
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

export interface Browser {
	page: Page;
	close(): Promise<void>;
}

/** A fresh profile each time, so no state of an earlier run (login, theme) leaks in. */
export async function launchBrowser(executablePath: string): Promise<Browser> {
	// n8n's editor marks its elements with data-test-id (n8n's own Playwright tests do the same).
	selectors.setTestIdAttribute('data-test-id');
	const profile = await mkdtemp(path.join(tmpdir(), 'nucleus-ui-profile-'));
	let context: BrowserContext | undefined;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1440, height: 900 },
		});
	} catch (error) {
		await rm(profile, { recursive: true, force: true });
		throw error;
	}
	const ctx = context;
	ctx.setDefaultTimeout(30_000);
	const page = ctx.pages()[0] ?? (await ctx.newPage());
	return {
		page,
		async close() {
			await ctx.close();
			await rm(profile, { recursive: true, force: true, maxRetries: 3 });
		},
	};
}

/**
 * The suite's screenshots: numbered in the order taken, in one folder the suite prints. With
 * UI_DOCS_DIR set (`npm run docs:screenshots`), the ones the README shows are copied there too.
 */
export class Screenshots {
	private count = 0;

	readonly taken: string[] = [];

	constructor(readonly dir: string) {}

	async take(
		page: Page,
		name: string,
		opts: { of?: Locator; docs?: string } = {},
	): Promise<string> {
		await mkdir(this.dir, { recursive: true });
		this.count += 1;
		const file = path.join(this.dir, `${String(this.count).padStart(2, '0')}-${name}.png`);
		// No toasts ("Credential saved", "Workflow executed successfully") over the picture, and the
		// mouse away from buttons, so no hover state or tooltip is in it either.
		for (const close of await page.locator('.el-notification__closeBtn').all()) {
			await close.click().catch(() => undefined);
		}
		await page
			.locator('.el-notification')
			.first()
			.waitFor({ state: 'detached', timeout: 5_000 })
			.catch(() => undefined);
		await page.mouse.move(700, 890);
		if (opts.of) await opts.of.screenshot({ path: file, animations: 'disabled' });
		else await page.screenshot({ path: file, animations: 'disabled' });
		this.taken.push(file);
		const docsDir = process.env.UI_DOCS_DIR;
		if (docsDir && opts.docs) await copyFile(file, path.join(path.resolve(docsDir), opts.docs));
		return file;
	}
}
