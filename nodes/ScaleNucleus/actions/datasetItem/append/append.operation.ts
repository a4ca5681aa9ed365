/**
 * Dataset Item → Append, the heart of the node. `execute` is its pipeline, each step a file that
 * takes the previous step's result, the item's type naming the step it has passed:
 *   1. read.ts            the parameters of each item                       → ReadItem
 *   2. ../validate/item.ts the checks of each item's values (pure)           → CheckedItem
 *   3. plan.ts            image source checked, DatasetItem built           → PlannedItem
 *      (datasetItem.ts is where an input item becomes a DatasetItem)
 *   4. skipPresent.ts     Skip Items Already in Dataset (lists the datasets)
 *   5. send/index.ts      the requests, one file per wire form              → SentBatch
 *   6. outcomes.ts        jobs followed, what happened to each item         → ItemOutcome
 *   7. output.ts          n8n items, paired to their input items
 * Steps 1 to 3 run item by item in one pass (a 100,000-item run holds each item once); everything
 * is checked before the first request. This operation owns On Error → Continue: every input item
 * comes out as a result or an error item paired to it.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { NucleusClient } from '../../../../shared/transport';
import { invalidItemSlots, invalidItemsError } from '../../invalidItems';
import type { OutputPromise } from '../../outputInvariant';
import { warnLookAlikes } from '../shared/lookAlikes';
import { checkItems } from '../validate/item';
import { itemOutcomes } from './outcomes';
import { appendOutput } from './output';
import { planItems } from './plan';
import { AppendProgress } from './progress';
import { readItems } from './read';
import { sendPlan } from './send';
import { readSettings } from './settings';
import { skipPresent } from './skipPresent';

export { description } from './description';

/** Every input item comes out once: its result or error item, or in the item of its job request. */
export const output: OutputPromise = 'exactlyOnce';

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
	client: NucleusClient,
): Promise<INodeExecutionData[]> {
	const node = this.getNode();
	const continueOnFail = this.continueOnFail();
	const signal = this.getExecutionCancelSignal();
	const settings = readSettings(this);

	const read = readItems(this, items, settings.mode);
	const checked = checkItems(read, items);
	const planned = await planItems(this, items, checked, settings.mode);
	if (planned.problems.length && !continueOnFail) {
		throw invalidItemsError(node, planned.problems, 'append');
	}
	const slots = invalidItemSlots(node, planned.problems, items.length);
	warnLookAlikes(
		this,
		planned.items.map((p) => ({
			itemIndex: p.itemIndex,
			datasetId: p.datasetId,
			referenceId: p.payload.reference_id,
		})),
	);

	const { plan, settled } = await skipPresent(node, client, planned, {
		enabled: settings.skipPresent,
		continueOnFail,
	});
	const progress = new AppendProgress(this.logger, plan.items.length);
	progress.skipped = settled.results.length;
	try {
		const sent = await sendPlan(this, client, plan, settings, { signal, progress });
		const outcomes = await itemOutcomes(node, client, sent, settled, settings, {
			signal,
			progress,
		});
		return appendOutput(node, slots, outcomes, {
			continueOnFail,
			update: settings.update,
			progress,
		});
	} finally {
		// The heartbeat must not outlive the run, also when it ends with an error.
		progress.stop();
	}
}
