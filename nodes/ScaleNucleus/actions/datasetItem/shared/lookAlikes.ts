/**
 * The warning about reference IDs of one run that only look alike (validate/ids.ts decides), shown
 * where a user sees it (a hint on the node's output) and in n8n's log. Append and Update Metadata
 * give it after planning, before anything is sent; no item is refused for it.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import { lookAlikeReferenceIds, lookAlikeWarning } from '../validate/ids';

export function warnLookAlikes(
	ctx: IExecuteFunctions,
	refs: Iterable<{ itemIndex: number; datasetId: string; referenceId: string }>,
): void {
	const warning = lookAlikeWarning(lookAlikeReferenceIds(refs));
	if (!warning) return;
	ctx.logger.warn(`Scale Nucleus: ${warning}`);
	ctx.addExecutionHints({ message: warning, type: 'warning', location: 'outputPane' });
}
