/**
 * The parameters of an Append run that are the same for every item (read from the first item, as
 * n8n's own nodes read run-wide settings): read once, before any item is read.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { numberOption } from '../../../../shared/options';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from './description';
import { MIN_POLL_INTERVAL_S } from '../shared/description';
import type { AppendMode } from './read';

export interface AppendSettings {
	mode: AppendMode;
	/** Options → Protocol → Legacy Synchronous. */
	legacy: boolean;
	update: boolean;
	/** Follow the jobs to their end and output one item per input item. */
	wait: boolean;
	/** The Options collection; the send step reads its batch options only when it sends. */
	options: IDataObject;
	concurrency: number;
	intervalMs: number;
	timeoutMs: number;
	skipPresent: boolean;
}

export function readSettings(ctx: IExecuteFunctions): AppendSettings {
	const node = ctx.getNode();
	const mode = ctx.getNodeParameter('mode', 0, 'remote') as AppendMode;
	// Checked before any file or binary is touched: an agent cannot hand the node binary data.
	if (mode === 'local' && node.type.endsWith('Tool')) {
		throw new NodeOperationError(node, 'Local File mode is not available to AI agents', {
			description: 'An AI agent cannot pass binary files. Use Remote URL mode in the tool.',
		});
	}
	const options = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	const legacy = options.protocol === 'legacySync';
	const update = ctx.getNodeParameter('update', 0, false) === true;
	// A job answered where counts were expected (legacy) is always followed to its end.
	const wait = legacy || ctx.getNodeParameter('waitForCompletion', 0, mode === 'local') === true;
	const concurrency = numberOption(
		ctx,
		options,
		'concurrency',
		'Concurrency',
		DEFAULT_CONCURRENCY,
		{
			min: 1,
			max: MAX_CONCURRENCY,
			whole: true,
		},
	);
	const intervalMs =
		numberOption(ctx, options, 'pollInterval', 'Poll Interval', 5, { min: MIN_POLL_INTERVAL_S }) *
		1000;
	const timeoutMs = numberOption(ctx, options, 'timeout', 'Max Wait', 3600, { min: 1 }) * 1000;
	const skipPresent = !update && options.skipPresent === true;
	return {
		mode,
		legacy,
		update,
		wait,
		options,
		concurrency,
		intervalMs,
		timeoutMs,
		skipPresent,
	};
}
