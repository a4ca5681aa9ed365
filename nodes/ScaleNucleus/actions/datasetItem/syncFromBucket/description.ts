/** The parameters of Dataset Item → Sync from Bucket, as the editor shows them. */
import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	datasetLocator,
	maxAttemptsOption,
	requestTimeoutOption,
} from '../../../../shared/descriptions';
import { DEFAULT_OBJECTS_PER_JOB, MAX_OBJECTS_PER_JOB } from './chunks';

export const DEFAULT_EXTENSIONS = 'jpg, jpeg, png, gif, webp, bmp, tif, tiff';
/** 10,000 pages of 1,000 keys: ten million objects. */
export const DEFAULT_MAX_PAGES = 10_000;
export const DEFAULT_MAX_ERROR_ITEMS = 100;
/** Folder listings in flight at once (S3 serves each prefix's listing on its own). */
export const DEFAULT_LISTING_CONCURRENCY = 8;
export const MAX_LISTING_CONCURRENCY = 32;
export const DEFAULT_MAX_OBJECT_ATTEMPTS = 3;

const showSync = { syncMode: ['sync'] };

const properties: INodeProperties[] = [
	{
		displayName: 'Action',
		name: 'syncMode',
		type: 'options',
		noDataExpression: true,
		default: 'sync',
		options: [
			{
				name: 'Sync Objects',
				value: 'sync',
				description:
					'Append the objects under the prefix that the dataset does not hold yet, one job per chunk',
			},
			{
				name: 'List Folders Only',
				value: 'listFolders',
				description:
					'Output one item per folder directly under the prefix, to fan the sync out over several executions',
			},
		],
	},
	{ ...datasetLocator, displayOptions: { show: showSync } },
	{
		displayName: 'Bucket',
		name: 'bucket',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. my-images',
		description: 'Name of the bucket (not a URL)',
	},
	{
		displayName: 'Prefix',
		name: 'prefix',
		type: 'string',
		default: '',
		placeholder: 'e.g. incoming/',
		description:
			'Only keys starting with this are synced. End it with "/" to mean a folder. Empty: the whole bucket.',
	},
	{
		displayName: 'Image URL Scheme',
		name: 'imageUrlScheme',
		type: 'options',
		default: 's3',
		displayOptions: { show: showSync },
		options: [
			{ name: 'S3 (s3://Bucket/key)', value: 's3' },
			{ name: 'Google Cloud Storage (gs://Bucket/key)', value: 'gs' },
		],
		description:
			'How Scale is told where each image is; Scale reads it with the access you granted it',
	},
	{
		displayName: 'Reference ID',
		name: 'referenceIdRule',
		type: 'options',
		default: 'key',
		displayOptions: { show: showSync },
		options: [
			{ name: 'Object Key', value: 'key', description: 'E.g. incoming/sunny/0001.png.' },
			{
				name: 'Object Key Without Extension',
				value: 'keyWithoutExtension',
				description: 'E.g. incoming/sunny/0001.',
			},
			{ name: 'Template', value: 'template', description: 'Built from {key}, {name} and {folder}' },
		],
		description:
			'How each object gets its reference ID. Keep it the same between runs: the dataset is compared by reference ID.',
	},
	{
		displayName: 'Reference ID Template',
		name: 'referenceIdTemplate',
		type: 'string',
		default: '{folder}/{name}',
		displayOptions: { show: { ...showSync, referenceIdRule: ['template'] } },
		description:
			'{key}: the whole key; {name}: the file name without folder and extension; {folder}: the folder path of the key',
	},
	{
		displayName: 'Folder Fields',
		name: 'folderFields',
		type: 'string',
		default: '',
		placeholder: 'e.g. , weather, site',
		displayOptions: { show: showSync },
		description:
			'Comma-separated metadata field names for the folder levels of the key, from the bucket\'s root; leave a name empty to skip its level: with ", weather", incoming/sunny/0001.png gets weather = sunny',
	},
	{
		displayName: 'Update Changed Objects',
		name: 'updateChanged',
		type: 'boolean',
		default: false,
		displayOptions: { show: showSync },
		description:
			"Whether to send again objects whose ETag differs from the one stored in the item's metadata (the item is replaced). Off: only objects the dataset lacks are sent.",
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		displayOptions: { show: showSync },
		description:
			'Whether to wait until the jobs are finished and output one error item per object that failed. Otherwise one item per job is output as soon as it is created.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Extensions',
				name: 'extensions',
				type: 'string',
				default: DEFAULT_EXTENSIONS,
				displayOptions: { show: { '/syncMode': ['sync'] } },
				description:
					'Comma-separated file extensions to sync (case does not matter). Empty: every object.',
			},
			{
				displayName: 'Fixed Metadata (JSON)',
				name: 'fixedMetadata',
				type: 'json',
				default: '{}',
				displayOptions: { show: { '/syncMode': ['sync'] } },
				description: 'Metadata fields every item gets, such as {"source": "camera-7"}',
			},
			{
				displayName: 'Folders Listed at Once',
				name: 'listingConcurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_LISTING_CONCURRENCY },
				default: DEFAULT_LISTING_CONCURRENCY,
				displayOptions: { show: { '/syncMode': ['sync'] } },
				description:
					'The folders directly under the prefix are listed this many at a time (one listing is one page per round trip)',
			},
			{
				displayName: 'Max Error Items',
				name: 'maxErrorItems',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: DEFAULT_MAX_ERROR_ITEMS,
				displayOptions: { show: { '/syncMode': ['sync'], '/waitForCompletion': [true] } },
				description:
					'Most error items output for failed objects; the last one counts the failures not shown',
			},
			maxAttemptsOption,
			{
				displayName: 'Max Failed Runs per Object',
				name: 'maxObjectAttempts',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_OBJECT_ATTEMPTS,
				displayOptions: { show: { '/syncMode': ['sync'], '/waitForCompletion': [true] } },
				description:
					'An object whose image failed in this many runs is not offered again (it is counted as given up) until it leaves the bucket or the count is reset by re-saving the workflow',
			},
			{
				displayName: 'Max Pages',
				name: 'maxPages',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_MAX_PAGES,
				description:
					'Most listing pages (1,000 objects each) read from the bucket; the run fails past them rather than listing for ever',
			},
			{
				displayName: 'Max Wait (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 3600,
				displayOptions: { show: { '/syncMode': ['sync'], '/waitForCompletion': [true] } },
				description:
					'How long to wait for the jobs before failing with their IDs, so you can resume with Job → Wait for Completion',
			},
			{
				displayName: 'Modified After',
				name: 'modifiedAfter',
				type: 'dateTime',
				default: '',
				displayOptions: { show: { '/syncMode': ['sync'] } },
				description: 'Only objects last modified after this moment are synced',
			},
			{
				displayName: 'Objects per Job',
				name: 'objectsPerJob',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_OBJECTS_PER_JOB },
				default: DEFAULT_OBJECTS_PER_JOB,
				displayOptions: { show: { '/syncMode': ['sync'] } },
				description: 'Objects sent in one upload, each upload becoming one Nucleus job',
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: 0.1 },
				default: 5,
				displayOptions: { show: { '/syncMode': ['sync'], '/waitForCompletion': [true] } },
			},
			requestTimeoutOption,
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['syncFromBucket'] } },
	properties,
);
