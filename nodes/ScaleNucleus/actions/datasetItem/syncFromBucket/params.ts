/**
 * The parameters of one sync, read and checked for one input item before any request: a bad value
 * fails with the item and the field named.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { numberOption } from '../../../../shared/options';
import { datasetIdOf } from '../../common';
import { DEFAULT_OBJECTS_PER_JOB, MAX_OBJECTS_PER_JOB } from './chunks';
import {
	DEFAULT_EXTENSIONS,
	DEFAULT_LISTING_CONCURRENCY,
	MAX_LISTING_CONCURRENCY,
	DEFAULT_MAX_ERROR_ITEMS,
	DEFAULT_MAX_OBJECT_ATTEMPTS,
	DEFAULT_MAX_PAGES,
} from './description';
import { checkTemplate, type ObjectRules, type ReferenceIdRule } from './objectToItem';

export interface SyncParams {
	datasetId: string;
	rules: ObjectRules;
	updateChanged: boolean;
	wait: boolean;
	objectsPerJob: number;
	maxPages: number;
	listingConcurrency: number;
	maxErrorItems: number;
	maxObjectAttempts: number;
	pollIntervalMs: number;
	timeoutMs: number;
}

/** S3's bucket naming rules, loosely (GCS allows a few more characters, such as "_"). */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$/;

function fail(
	ctx: IExecuteFunctions,
	itemIndex: number,
	message: string,
	description?: string,
): never {
	throw new NodeOperationError(ctx.getNode(), `Item ${itemIndex}: ${message}`, {
		itemIndex,
		description,
	});
}

/** Bucket and prefix, which both modes need. */
export function readLocation(
	ctx: IExecuteFunctions,
	itemIndex: number,
): { bucket: string; prefix: string } {
	const bucket = String(ctx.getNodeParameter('bucket', itemIndex, '')).trim();
	if (!BUCKET_NAME.test(bucket)) {
		fail(
			ctx,
			itemIndex,
			`Bucket "${bucket}" is not a bucket name`,
			'Give the name only (3 to 63 lower-case letters, digits, dots and hyphens), not an s3:// or https:// URL.',
		);
	}
	const prefix = String(ctx.getNodeParameter('prefix', itemIndex, ''));
	if (prefix.startsWith('/')) {
		fail(
			ctx,
			itemIndex,
			'Prefix starts with "/"',
			'Keys have no leading slash: write incoming/, not /incoming/.',
		);
	}
	return { bucket, prefix };
}

function list(raw: unknown): string[] {
	return String(raw ?? '')
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s !== '');
}

export function readSyncParams(ctx: IExecuteFunctions, itemIndex: number): SyncParams {
	const { bucket, prefix } = readLocation(ctx, itemIndex);
	const datasetId = datasetIdOf(ctx, itemIndex);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const referenceIdRule = ctx.getNodeParameter(
		'referenceIdRule',
		itemIndex,
		'key',
	) as ReferenceIdRule;
	const template = String(ctx.getNodeParameter('referenceIdTemplate', itemIndex, ''));
	if (referenceIdRule === 'template') {
		const problem = checkTemplate(template);
		if (problem) fail(ctx, itemIndex, problem);
	}
	let modifiedAfter: number | undefined;
	if (options.modifiedAfter !== undefined && options.modifiedAfter !== '') {
		modifiedAfter = Date.parse(String(options.modifiedAfter));
		if (Number.isNaN(modifiedAfter)) {
			fail(
				ctx,
				itemIndex,
				`Options → Modified After "${String(options.modifiedAfter)}" is not a date`,
			);
		}
	}
	let fixedMetadata: IDataObject = {};
	const rawFixed = options.fixedMetadata ?? '{}';
	try {
		const parsed: unknown = typeof rawFixed === 'string' ? JSON.parse(rawFixed || '{}') : rawFixed;
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
			throw new Error('not an object');
		fixedMetadata = parsed as IDataObject;
	} catch {
		fail(
			ctx,
			itemIndex,
			'Options → Fixed Metadata (JSON) is not a JSON object',
			'Example: {"source": "camera-7"}',
		);
	}
	// Empty names are kept: each skips its level.
	const rawFolderFields = String(ctx.getNodeParameter('folderFields', itemIndex, '')).trim();
	const folderFields = rawFolderFields ? rawFolderFields.split(',').map((f) => f.trim()) : [];
	const clash = folderFields.find((f) => ['key', 'size', 'last_modified', 'etag'].includes(f));
	if (clash)
		fail(
			ctx,
			itemIndex,
			`Folder Fields names "${clash}", which the node sets from the object itself`,
		);
	const wait = ctx.getNodeParameter('waitForCompletion', itemIndex, true) === true;
	return {
		datasetId,
		rules: {
			bucket,
			prefix,
			scheme: ctx.getNodeParameter('imageUrlScheme', itemIndex, 's3') === 'gs' ? 'gs' : 's3',
			referenceIdRule,
			template,
			extensions: list(options.extensions ?? DEFAULT_EXTENSIONS).map((e) =>
				e.replace(/^\./, '').toLowerCase(),
			),
			modifiedAfter,
			folderFields,
			fixedMetadata,
		},
		updateChanged: ctx.getNodeParameter('updateChanged', itemIndex, false) === true,
		wait,
		objectsPerJob: numberOption(
			ctx,
			options,
			'objectsPerJob',
			'Objects per Job',
			DEFAULT_OBJECTS_PER_JOB,
			{
				min: 1,
				max: MAX_OBJECTS_PER_JOB,
				whole: true,
			},
		),
		maxPages: readMaxPages(ctx, options),
		listingConcurrency: numberOption(
			ctx,
			options,
			'listingConcurrency',
			'Folders Listed at Once',
			DEFAULT_LISTING_CONCURRENCY,
			{ min: 1, max: MAX_LISTING_CONCURRENCY, whole: true },
		),
		maxErrorItems: numberOption(
			ctx,
			options,
			'maxErrorItems',
			'Max Error Items',
			DEFAULT_MAX_ERROR_ITEMS,
			{
				min: 0,
				whole: true,
			},
		),
		maxObjectAttempts: numberOption(
			ctx,
			options,
			'maxObjectAttempts',
			'Max Failed Runs per Object',
			DEFAULT_MAX_OBJECT_ATTEMPTS,
			{ min: 1, whole: true },
		),
		pollIntervalMs:
			numberOption(ctx, options, 'pollInterval', 'Poll Interval', 5, { min: 0.1 }) * 1000,
		timeoutMs: numberOption(ctx, options, 'timeout', 'Max Wait', 3600, { min: 1 }) * 1000,
	};
}

export function readMaxPages(ctx: IExecuteFunctions, options: IDataObject): number {
	return numberOption(ctx, options, 'maxPages', 'Max Pages', DEFAULT_MAX_PAGES, {
		min: 1,
		whole: true,
	});
}
