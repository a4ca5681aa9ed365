/**
 * The trigger's parameters: read from the node and checked before any request (a wrong value fails
 * the activation with its name, and nothing is sent). The values of Watch, Trigger On and Output are
 * stored in users' workflows: never rename them.
 */
import { NodeOperationError, type IDataObject, type IPollFunctions } from 'n8n-workflow';

import { datasetIdProblem, jobIdProblem } from '../shared/api/paths';
import { checkNumber } from '../shared/options';
import { MAX_ERRORS_PER_JOB, MAX_LOOKBACK_DAYS } from './description';
import { OUTPUT_SHAPES, type OutputShape } from './output';
import { MAX_EMITTED } from './state';

export type WatchMode = 'all' | 'dataset' | 'jobIds';

/** Values of the `emitOn` parameter (stored in workflows: never rename). */
export type EmitOnValue = 'completed' | 'erroredAny' | 'cancelled';

export const EMIT_ON_VALUES: readonly EmitOnValue[] = ['completed', 'erroredAny', 'cancelled'];

export interface TriggerConfig {
	watch: WatchMode;
	datasetId: string | null;
	jobIds: string[];
	jobTypes: string[];
	emitOn: EmitOnValue[];
	emitProgress: boolean;
	emitHistory: boolean;
	lookbackDays: number;
	maxErrors: number;
	output: OutputShape;
}

/** Splits a job id list typed by a user (commas, semicolons, spaces or new lines; an array from an expression works too). */
export function parseJobIds(value: unknown): string[] {
	const parts: string[] = [];
	const add = (v: unknown) => {
		if (Array.isArray(v)) v.forEach(add);
		else if (typeof v === 'string') parts.push(...v.split(/[\s,;]+/));
		else if (typeof v === 'number') parts.push(String(v));
	};
	add(value);
	return [...new Set(parts.map((p) => p.trim()).filter(Boolean))];
}

export function readConfig(ctx: IPollFunctions): TriggerConfig {
	const node = ctx.getNode();
	const watch = ctx.getNodeParameter('watch', 'all') as WatchMode;
	if (watch !== 'all' && watch !== 'dataset' && watch !== 'jobIds') {
		throw new NodeOperationError(node, `Unknown Watch value "${String(watch)}"`);
	}
	let datasetId: string | null = null;
	if (watch === 'dataset') {
		datasetId = String(ctx.getNodeParameter('datasetId', '', { extractValue: true }) ?? '').trim();
		if (!datasetId) {
			throw new NodeOperationError(node, 'Choose the dataset whose jobs to watch', {
				description: 'Pick a dataset in "Dataset", or set Watch to "All Jobs of the Account".',
			});
		}
		// A typo would list no job, silently, on every poll.
		const problem = datasetIdProblem(datasetId);
		if (problem) {
			throw new NodeOperationError(node, problem.message, {
				description: `${problem.description} The trigger sent no request.`,
			});
		}
	}
	let jobIds: string[] = [];
	if (watch === 'jobIds') {
		jobIds = parseJobIds(ctx.getNodeParameter('jobIds', ''));
		if (jobIds.length === 0) {
			throw new NodeOperationError(node, 'Enter at least one job ID to watch', {
				description:
					'Job IDs look like job_c4rmsk8arvzg0cqkc6e0; Append Items returns them as job_id.',
			});
		}
		// Checked here, so a malformed ID fails the activation with its name, and none is sent in a path.
		for (const id of jobIds) {
			const problem = jobIdProblem(id);
			if (problem) {
				throw new NodeOperationError(node, `Job IDs: ${problem.message}`, {
					description: `${problem.description} The trigger sent no request.`,
				});
			}
		}
		if (jobIds.length > MAX_EMITTED) {
			throw new NodeOperationError(
				node,
				`Too many job IDs (${jobIds.length}); watch at most ${MAX_EMITTED}`,
				{
					description: 'Watch the dataset (or all jobs) instead, filtered by job type.',
				},
			);
		}
	}
	const jobTypes =
		watch === 'jobIds'
			? []
			: [
					...new Set(
						(ctx.getNodeParameter('jobTypes', []) as string[]).filter(
							(t) => typeof t === 'string' && t,
						),
					),
				];
	const emitOn = (ctx.getNodeParameter('emitOn', [...EMIT_ON_VALUES]) as string[]).filter(
		(v): v is EmitOnValue => (EMIT_ON_VALUES as readonly string[]).includes(v),
	);
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const emitProgress = options.emitProgress === true;
	if (emitOn.length === 0 && !emitProgress) {
		throw new NodeOperationError(node, 'Nothing to emit: no status is chosen in "Trigger On"', {
			description:
				'Choose at least one final status in "Trigger On", or turn on the "Emit Progress" option.',
		});
	}
	const output = options.output ?? 'job';
	if (!(OUTPUT_SHAPES as readonly unknown[]).includes(output)) {
		throw new NodeOperationError(node, `Unknown Output value "${String(output)}"`, {
			description: 'Choose "One Item per Job" or "One Summary per Dataset" in the Output option.',
		});
	}
	const number = (name: string, label: string, fallback: number, max: number) =>
		checkNumber(
			node,
			options[name],
			`Option ${label}`,
			fallback,
			{ min: 0, max, whole: true },
			{
				description: 'The trigger sent no request.',
			},
		);
	return {
		watch,
		datasetId,
		jobIds,
		jobTypes,
		emitOn,
		emitProgress,
		emitHistory: options.emitHistory === true,
		lookbackDays: number('lookbackDays', 'Lookback (Days)', 2, MAX_LOOKBACK_DAYS),
		maxErrors: number('maxErrors', 'Max Errors per Job', 100, MAX_ERRORS_PER_JOB),
		output: output as OutputShape,
	};
}
