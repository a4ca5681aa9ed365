/**
 * The editor as a new user meets it: n8n 2.41.1's editor in Debian's chromium (playwright-core),
 * against the demo stack (the emulator and a real n8n with this package installed). Each step
 * leaves a screenshot in the folder printed at the start; `npm run docs:screenshots` copies the
 * README's pictures from them into docs/. One file because the steps share one signed-in browser
 * and one n8n, in the order a new user takes them.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import type { Locator, Page } from 'playwright-core';

import { cleanupWorkRoot, DEMO_OWNER, EXAMPLES_DIR } from '../e2e/n8n';
import { EXAMPLES, exampleWorkflow, startStack, type Stack } from '../e2e/stack';
import { ensureChromium, launchBrowser, Screenshots, type Browser } from './browser';

let stack: Stack;
let browser: Browser;
let page: Page;
let baseUrl: string;
let shots: Screenshots;
/** The datasets the resource locator must list, by name. */
const datasets: Record<string, string> = {};
const workflows = { remote: '', badInput: '', trigger: '' };
/** Example 00 as a user downloads it, and the name n8n gives the credential made in the form. */
const FIRST_APPEND_FILE = path.join(EXAMPLES_DIR, EXAMPLES.firstAppend);
const FORM_CREDENTIAL = /^\s*Scale Nucleus (API )?account/;

before(async () => {
	shots = new Screenshots(
		process.env.UI_SCREENSHOTS ?? (await mkdtemp(path.join(tmpdir(), 'nucleus-ui-shots-'))),
	);
	process.stdout.write(`[ui] screenshots go to ${shots.dir}\n`);
	const chromiumPath = await ensureChromium();
	stack = await startStack({ label: 'ui' });
	const { emu, n8n } = stack;
	datasets.remote = emu.createDataset('ui: remote images');
	datasets.mixed = emu.createDataset('ui: mixed input');
	const values = [
		[EXAMPLES.remoteAsync, datasets.remote, 'remote'],
		[EXAMPLES.badInput, datasets.mixed, 'badInput'],
		[EXAMPLES.trigger, datasets.remote, 'trigger'],
	] as const;
	for (const [file, datasetId, key] of values) {
		const wf = await exampleWorkflow(n8n, file, { datasetId });
		workflows[key] = await n8n.importWorkflow(wf);
	}
	baseUrl = await n8n.start();
	await n8n.setupOwner(DEMO_OWNER);
	browser = await launchBrowser(chromiumPath);
	page = browser.page;
});

after(async () => {
	await browser?.close();
	await stack?.close();
	await cleanupWorkRoot();
	if (shots) process.stdout.write(`[ui] ${shots.taken.length} screenshots in ${shots.dir}\n`);
});

// ------------------------------------------------------------------------------------ helpers

const ndv = () => page.getByTestId('ndv');

/** Names of the parameters the open node panel shows (n8n marks each input parameter-input-NAME). */
async function visibleParameters(): Promise<string[]> {
	const ids = await ndv()
		.getByTestId('node-parameters')
		.locator('[data-test-id^="parameter-input-"]')
		.evaluateAll((els) =>
			els
				.filter((e) => (e as unknown as { offsetParent: unknown }).offsetParent !== null)
				.map((e) => e.getAttribute('data-test-id') ?? ''),
		);
	return [...new Set(ids.map((id) => id.slice('parameter-input-'.length)))].filter(
		(name) => name !== 'field',
	);
}

/** The options the Options collection's "Add option" list offers. */
async function offeredOptions(): Promise<string[]> {
	await ndv().getByTestId('collection-parameter-add').click();
	const list = page.locator('.el-select-dropdown:visible, .el-popper:visible').getByRole('option');
	await list.first().waitFor();
	const names = (await list.allInnerTexts()).map((t) => t.trim()).filter(Boolean);
	await page.keyboard.press('Escape');
	return names;
}

/** Picks an option of a drop-down parameter by its shown name. */
async function choose(parameter: string, option: string): Promise<void> {
	await ndv().getByTestId(`parameter-input-${parameter}`).click();
	// An option's text is its name followed by its description.
	await page
		.getByRole('option')
		.filter({ hasText: new RegExp(`^\\s*${option.replace(/[()]/g, '\\$&')}`) })
		.locator('visible=true')
		.first()
		.click();
	assert.equal(await inputValue(parameter), option);
}

async function setSwitch(parameter: string, on: boolean): Promise<void> {
	const sw = ndv().getByTestId(`parameter-input-${parameter}`).locator('.el-switch');
	const isOn = (await sw.getAttribute('class'))?.includes('is-checked') ?? false;
	if (isOn !== on) await sw.click();
}

async function inputValue(parameter: string): Promise<string> {
	return await ndv().getByTestId(`parameter-input-${parameter}`).locator('input').inputValue();
}

async function openWorkflow(id: string): Promise<void> {
	await page.goto(`${baseUrl}/workflow/${id}`);
	await page.getByTestId('canvas-node').first().waitFor();
}

function canvasNode(name: string): Locator {
	return page.getByTestId('canvas-node').filter({ hasText: name }).first();
}

/** The item counts n8n writes on the connections after a run, e.g. ["1000 items", "7 items"]. */
async function edgeLabels(): Promise<string[]> {
	return (await page.getByTestId('edge-label').allInnerTexts()).map((t) => t.trim());
}

// -------------------------------------------------------------------------------------- steps

describe('n8n editor with the Scale Nucleus nodes', () => {
	test('signs in as the owner', async () => {
		await page.goto(`${baseUrl}/signin`);
		await page.getByTestId('emailOrLdapLoginId').locator('input').fill(DEMO_OWNER.email);
		await page.locator('input[type="password"]').fill(DEMO_OWNER.password);
		await page.keyboard.press('Enter');
		await page.waitForURL(/\/home\//);
		await shots.take(page, 'signed-in');
	});

	test('creates a Scale Nucleus API credential through the form; the test passes', async () => {
		const { emu } = stack;
		await page.goto(`${baseUrl}/home/credentials/create`);
		await page.getByTestId('new-credential-type-select').click();
		await page.keyboard.type('Scale Nucleus');
		await page
			.getByTestId('new-credential-type-select-option')
			.filter({ hasText: 'Scale Nucleus API' })
			.click();
		await page.getByTestId('new-credential-type-button').click();
		const modal = page.getByTestId('editCredential-modal');
		await modal.getByTestId('parameter-input-apiKey').locator('input').fill(emu.apiKey);
		await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(emu.baseUrl);
		await modal.getByTestId('credential-save-button').click();
		// n8n tests a credential when it is saved.
		await modal.getByTestId('credentials-config-container-test-success').waitFor();
		await shots.take(page, 'credential-test-passed', { of: modal, docs: 'credential.png' });
	});

	test('a wrong API key fails the test with a message naming the key', async () => {
		const modal = page.getByTestId('editCredential-modal');
		await modal.getByTestId('parameter-input-apiKey').locator('input').fill('not-a-scale-key');
		await modal.getByTestId('credential-save-button').click();
		await modal.getByText('Couldn’t connect with these settings').waitFor();
		// n8n puts the test's own message behind "More details".
		await modal.getByText('More details').click();
		await modal.getByText(/Nucleus refused the API Key \(HTTP 401 Unauthorized\)/).waitFor();
		await shots.take(page, 'credential-wrong-key', {
			of: modal,
			docs: 'credential-wrong-key.png',
		});
		await modal.getByTestId('parameter-input-apiKey').locator('input').fill(stack.emu.apiKey);
		await modal.getByTestId('credential-save-button').click();
		await modal.getByTestId('credentials-config-container-test-success').waitFor();
		await modal.locator('.el-dialog__close').first().click();
	});

	test('README, "First append in five minutes", as written: import example 00, pick the credential, run it, five images appended', async () => {
		const started = Date.now();
		const { emu } = stack;
		// 1. Import the file (Workflows → Create workflow → ⋯ → Import from File).
		await page.goto(`${baseUrl}/workflow/new`);
		await page.getByTestId('canvas-plus-button').waitFor();
		await page.getByTestId('workflow-import-input').setInputFiles(FIRST_APPEND_FILE);
		await canvasNode('Append to Nucleus').waitFor();
		// 2. Pick the credential made through the form in both Scale Nucleus nodes.
		for (const node of ['Create dataset', 'Append to Nucleus']) {
			await canvasNode(node).dblclick();
			await ndv().waitFor();
			await ndv().getByTestId('node-credentials-select').click();
			await shots.take(page, `first-append-credential-${node}`);
			await page
				.locator('[data-test-id^="node-credentials-select-item-"]')
				.filter({ hasText: FORM_CREDENTIAL })
				.locator('visible=true')
				.first()
				.click();
			await ndv().getByTestId('ndv-close-button').click();
			await ndv().waitFor({ state: 'hidden' });
		}
		// 3. Execute workflow.
		await page.getByTestId('execute-workflow-button').first().click();
		// 4. All five items leave Succeeded? on the true branch.
		// Into Append, into the IF, out of its true branch: three connections carry 5 items once the
		// job is finished (the first appears while Append still waits for it).
		await page.getByTestId('edge-label').getByText('5 items').nth(2).waitFor({ timeout: 120_000 });
		const labels = await edgeLabels();
		assert.equal(labels.filter((l) => l === '5 items').length, 3, labels.join(', '));
		await page.getByTestId('zoom-to-fit').click();
		await shots.take(page, 'first-append-run', { docs: 'first-append.png' });
		// The dataset and its five images are in Nucleus (the emulator's own store).
		const job = emu
			.listJobs()
			.find((j) => j.dataset_id && emu.getItem(j.dataset_id, 'first-append-cat'));
		assert.ok(job?.dataset_id, 'a job stored the images');
		assert.deepEqual(
			emu
				.listItems(job.dataset_id)
				.map((i) => i.reference_id)
				.sort(),
			['airplane', 'arctichare', 'baboon', 'barbara', 'cat'].map((n) => `first-append-${n}`),
		);
		process.stdout.write(
			`[ui] the README's first append, walked in the editor: ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
		);
	});

	test('the node creator finds both nodes by "Nucleus", with the trigger’s events', async () => {
		await page.goto(`${baseUrl}/workflow/new`);
		await page.getByTestId('canvas-plus-button').click();
		await page.getByTestId('node-creator-search-bar').fill('Nucleus');
		const entry = page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: 'Scale Nucleus' })
			.first();
		// One entry for the node and its trigger, described for both.
		await entry.getByText(/Append images to Nucleus datasets/).waitFor();
		await entry.getByText(/start a workflow when jobs finish/).waitFor();
		await shots.take(page, 'node-creator-search');
		await entry.click();
		const items = page.getByTestId('node-creator').getByTestId('item-iterator-item');
		await items.getByText('On job completed').waitFor();
		assert.deepEqual(
			(await items.allInnerTexts()).map((t) => t.trim()).filter((t) => t.startsWith('On ')),
			['On job completed', 'On job errored', 'On job cancelled'],
		);
		await shots.take(page, 'node-creator-trigger-events');
		await page.keyboard.press('Escape');
	});

	test('adds Append from the node creator and picks a dataset from the list', async () => {
		await page.goto(`${baseUrl}/workflow/new`);
		await page.getByTestId('canvas-plus-button').click();
		await page.getByTestId('node-creator-search-bar').fill('Nucleus');
		await page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: 'Scale Nucleus' })
			.first()
			.click();
		await page
			.getByTestId('node-creator')
			.getByText(/^Actions/)
			.click();
		await page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: 'Append items to a dataset' })
			.click();
		await ndv().waitFor();
		await ndv().getByTestId('resource-locator-datasetId').getByTestId('rlc-input').click();
		const listed = page.getByTestId('rlc-item');
		await listed.filter({ hasText: 'ui: remote images' }).waitFor();
		const names = await listed.allInnerTexts();
		assert.ok(
			names.some((n) => n.includes('ui: mixed input')),
			names.join(', '),
		);
		await shots.take(page, 'dataset-list');
		await listed.filter({ hasText: 'ui: remote images' }).click();
		assert.match(
			await ndv()
				.getByTestId('resource-locator-datasetId')
				.getByTestId('rlc-input-container')
				.locator('input')
				.first()
				.inputValue(),
			/ui: remote images/,
		);
	});

	test('Remote URL shows the URL, no upload options, and waiting options only when waiting', async () => {
		const shown = await visibleParameters();
		for (const p of ['datasetId', 'mode', 'imageUrl', 'referenceId', 'waitForCompletion'])
			assert.ok(shown.includes(p), `${p} shown: ${shown.join(', ')}`);
		// Protocol is an option (almost nobody should change it), not a top-level parameter.
		for (const p of ['imageSource', 'binaryPropertyName', 'filePath', 'protocol'])
			assert.ok(!shown.includes(p), `${p} hidden`);
		// Waiting is off by default for remote images: no poll options, no upload options.
		assert.deepEqual(await offeredOptions(), [
			'Height',
			'Max Attempts',
			'Protocol',
			'Request Timeout (Seconds)',
			'Skip Items Already in Dataset',
			'Width',
		]);
		await setSwitch('waitForCompletion', true);
		assert.deepEqual(await offeredOptions(), [
			'Height',
			'Max Attempts',
			'Max Wait (Seconds)',
			'Poll Interval (Seconds)',
			'Protocol',
			'Request Timeout (Seconds)',
			'Skip Items Already in Dataset',
			'Width',
		]);
		await choose('metadataMode', 'All Other Fields');
		assert.equal(await inputValue('excludeFields'), 'reference_id, image_url');
		await ndv()
			.getByTestId('parameter-input-imageUrl')
			.locator('input')
			.fill('s3://bucket/0001.jpg');
		await shots.take(page, 'append-remote', { of: ndv(), docs: 'append-remote.png' });
	});

	test('Local File shows the binary field or the path, and the upload options; back to Remote URL, the URL is gone', async () => {
		await choose('mode', 'Local File');
		let shown = await visibleParameters();
		for (const p of ['imageSource', 'binaryPropertyName', 'waitForCompletion'])
			assert.ok(shown.includes(p), `${p} shown: ${shown.join(', ')}`);
		for (const p of ['imageUrl', 'filePath']) assert.ok(!shown.includes(p), `${p} hidden`);
		// No image URL among the input's fields in this mode, so none to exclude.
		assert.equal(await inputValue('excludeFields'), 'reference_id');
		assert.deepEqual(await offeredOptions(), [
			'Concurrency',
			'Height',
			'Images per Request',
			'Max Attempts',
			'Max Wait (Seconds)',
			'Poll Interval (Seconds)',
			'Protocol',
			'Request Timeout (Seconds)',
			'Skip Items Already in Dataset',
			'Width',
		]);
		await shots.take(page, 'append-local-binary', { of: ndv(), docs: 'append-local.png' });
		await choose('imageSource', 'File Path');
		shown = await visibleParameters();
		assert.ok(shown.includes('filePath') && !shown.includes('binaryPropertyName'));
		await setSwitch('waitForCompletion', false);
		const options = await offeredOptions();
		assert.ok(
			!options.includes('Poll Interval (Seconds)') && !options.includes('Max Wait (Seconds)'),
		);
		// Skipping present items means nothing when they are to be overwritten.
		await setSwitch('update', true);
		assert.ok(!(await offeredOptions()).includes('Skip Items Already in Dataset'));
		await setSwitch('update', false);
		await shots.take(page, 'append-local-path');
		// What the README says about switching Mode: n8n drops the hidden Image URL for good.
		await choose('mode', 'Remote URL');
		assert.equal(await inputValue('imageUrl'), '');
		await page.keyboard.press('Escape');
	});

	test('example 1 runs from the editor: 1,000 items, 990 appended and 10 failed', async () => {
		await openWorkflow(workflows.remote);
		await page.getByTestId('execute-workflow-button').first().click();
		await page.getByTestId('edge-label').getByText('990 items').waitFor({ timeout: 120_000 });
		const labels = await edgeLabels();
		for (const want of ['1000 items', '990 items', '10 items'])
			assert.ok(labels.includes(want), `${want} in ${labels.join(', ')}`);
		await canvasNode('Append to Nucleus').getByText('Append items').waitFor();
		await page.getByTestId('zoom-to-fit').click();
		await shots.take(page, 'example-1-run', { docs: 'demo-workflow.png' });
	});

	test('example 4 routes its bad items to the error output, with the item and the field', async () => {
		await openWorkflow(workflows.badInput);
		await page.getByTestId('execute-workflow-button').first().click();
		await page.getByTestId('edge-label').getByText('7 items').waitFor({ timeout: 120_000 });
		const labels = await edgeLabels();
		for (const want of ['10 items', '7 items', '3 items'])
			assert.ok(labels.includes(want), `${want} in ${labels.join(', ')}`);
		await page.getByTestId('zoom-to-fit').click();
		await shots.take(page, 'example-4-run', { docs: 'routed-failures-canvas.png' });
		await canvasNode('Needs fixing').dblclick();
		await ndv().waitFor();
		const output = ndv().getByTestId('output-panel');
		await output.getByTestId('radio-button-json').click();
		await output.getByText('"details"').first().waitFor();
		// The JSON view breaks lines between keys and values; compare the text without them.
		const text = (await output.innerText()).replace(/\s+/g, ' ');
		for (const [item, field] of [
			[2, 'Reference ID'],
			[5, 'Image URL'],
			[7, 'Image URL'],
		] as const) {
			assert.ok(
				text.includes(`"item": ${item}`) && text.includes(`"field": "${field}"`),
				`item ${item} with field ${field} in ${text.slice(0, 2000)}`,
			);
		}
		await shots.take(page, 'example-4-error-items', { docs: 'routed-failures.png' });
		await page.keyboard.press('Escape');
	});

	test('the trigger’s Fetch Test Event shows the job example 1 finished', async () => {
		await openWorkflow(workflows.trigger);
		await canvasNode('When a Nucleus job finishes').dblclick();
		await ndv().waitFor();
		await ndv()
			.getByRole('button', { name: /Fetch Test Event/i })
			.first()
			.click();
		const output = ndv().getByTestId('output-panel');
		await output.getByText('Errored_Partial').first().waitFor({ timeout: 60_000 });
		await output.getByText(datasets.remote).first().waitFor();
		await shots.take(page, 'trigger-fetch-test-event', { docs: 'trigger-test-event.png' });
		await page.keyboard.press('Escape');
	});

	test('the node icon in the light and the dark theme', async () => {
		await openWorkflow(workflows.remote);
		const node = canvasNode('Append to Nucleus');
		await shots.take(page, 'icon-light', { of: node, docs: 'icon-light.png' });
		// The editor's theme setting (Settings → Personal → Theme) lives in the browser's storage.
		await page.evaluate("localStorage.setItem('N8N_THEME', 'dark')");
		await openWorkflow(workflows.remote);
		await page.locator('body[data-theme="dark"], html[data-theme="dark"]').first().waitFor();
		await shots.take(page, 'icon-dark', {
			of: canvasNode('Append to Nucleus'),
			docs: 'icon-dark.png',
		});
		await page.evaluate("localStorage.removeItem('N8N_THEME')");
	});
});
