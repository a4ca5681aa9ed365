/**
 * Step 5 of Append, send: the planned items go out in the wire form their mode and Protocol call
 * for, one file per form (legacy.ts, localBatches.ts, remoteAsync.ts). Every request's answer, or
 * the error that made it fail for good, comes back as a SentBatch for the items it carried.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { numberOption } from '../../../../../shared/options';
import type { NucleusClient } from '../../../../../shared/transport';
import type { AppendPlan } from '../plan';
import type { AppendProgress } from '../progress';
import type { AppendSettings } from '../settings';
import { MAX_LEGACY_BATCH, sendLegacy } from './legacy';
import { MAX_IMAGES_PER_REQUEST, sendLocalBatches } from './localBatches';
import { sendRemoteAsync } from './remoteAsync';
import type { SentBatch } from './sentBatch';

export type { SentBatch };

export async function sendPlan(
	ctx: IExecuteFunctions,
	client: NucleusClient,
	plan: AppendPlan,
	settings: AppendSettings,
	run: { signal?: AbortSignal; progress: AppendProgress },
): Promise<SentBatch[]> {
	if (!plan.items.length) return [];
	const { update, concurrency, options } = settings;
	const { signal, progress } = run;
	if (settings.legacy) {
		const batchSize = numberOption(ctx, options, 'batchSize', 'Batch Size', 20, {
			min: 1,
			max: MAX_LEGACY_BATCH,
			whole: true,
		});
		return await sendLegacy(ctx, client, plan, update, {
			batchSize,
			concurrency,
			signal,
			progress,
		});
	}
	if (plan.mode === 'local') {
		const imagesPerRequest = numberOption(
			ctx,
			options,
			'imagesPerRequest',
			'Images per Request',
			MAX_IMAGES_PER_REQUEST,
			{ min: 1, max: MAX_IMAGES_PER_REQUEST, whole: true },
		);
		return await sendLocalBatches(ctx, client, plan.items, update, {
			imagesPerRequest,
			concurrency,
			signal,
			progress,
		});
	}
	const sent = await sendRemoteAsync(ctx.getNode(), client, plan.items, update, signal);
	progress.sent = plan.items.length;
	return sent;
}
