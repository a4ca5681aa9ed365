/** The parameters of Dataset Item → Append, as the editor shows them. */
import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import {
	datasetLocator,
	maxAttemptsOption,
	requestTimeoutOption,
} from '../../../../shared/descriptions';
import {
	excludeFieldsProperty,
	metadataFieldsProperty,
	metadataJsonProperty,
	MIN_POLL_INTERVAL_S,
} from '../shared/description';
import { MAX_IMAGES_PER_REQUEST } from './send/localBatches';
import { MAX_LEGACY_BATCH } from './send/legacy';

/** The Concurrency option's default: the most requests in flight; the pool adapts below it. */
export const DEFAULT_CONCURRENCY = 32;
export const MAX_CONCURRENCY = 64;
const showRemote = { mode: ['remote'] };
/** Options → Protocol set to the legacy one (unset means Current: the option's default). */
const LEGACY = { '/options.protocol': ['legacySync'] };
const showLocal = { mode: ['local'] };

export const properties: INodeProperties[] = [
	datasetLocator,
	{
		displayName: 'Mode',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		default: 'remote',
		options: [
			{
				name: 'Remote URL',
				value: 'remote',
				description: 'Images already in a bucket or on the web (http://, https://, s3://, gs://)',
			},
			{
				name: 'Local File',
				value: 'local',
				description:
					'Upload the image itself, from binary data of the input item or a file on the n8n host',
			},
		],
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. s3://my-bucket/{{ $json.Key }} or {{ $json.image_url }}',
		description:
			'Where Nucleus fetches the image from, usually an expression per item. Supported: http://, https://, s3:// and gs://. Scale must be able to read the location.',
		displayOptions: { show: showRemote },
	},
	{
		displayName: 'Image Source',
		name: 'imageSource',
		type: 'options',
		noDataExpression: true,
		default: 'binary',
		options: [
			{
				name: 'Binary Property',
				value: 'binary',
				description:
					'A file of the input item, for example from Read/Write Files From Disk or HTTP Request',
			},
			{
				name: 'File Path',
				value: 'path',
				description: 'A file on the machine that runs n8n (n8n file-access restrictions apply)',
			},
		],
		displayOptions: { show: showLocal },
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the image',
		displayOptions: { show: { ...showLocal, imageSource: ['binary'] } },
	},
	{
		displayName: 'File Path',
		name: 'filePath',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. /home/node/.n8n-files/images/0001.jpg',
		description: 'Absolute path of the image file on the n8n host',
		displayOptions: { show: { ...showLocal, imageSource: ['path'] } },
	},
	{
		displayName: 'Reference ID',
		name: 'referenceId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.Key }} or {{ $json.reference_id }}',
		description:
			'Your unique ID for the item in the dataset, usually an expression per item. Appending the same reference ID again updates or leaves the item, see Update Existing Items.',
	},
	{
		displayName: 'Metadata',
		name: 'metadataMode',
		type: 'options',
		noDataExpression: true,
		default: 'none',
		options: [
			{ name: 'None', value: 'none', description: 'Send no metadata' },
			{
				name: 'All Other Fields',
				value: 'allFields',
				description: 'Use every field of the input item except the excluded ones',
			},
			{ name: 'JSON', value: 'json', description: 'Give the metadata as a JSON object' },
			{ name: 'Fields Below', value: 'fields', description: 'Set metadata key by key' },
		],
	},
	// One Fields to Exclude per Mode: the default names the fields a remote item usually carries
	// besides its metadata; a local item has no image URL field to leave out.
	excludeFieldsProperty('reference_id, image_url', showRemote),
	excludeFieldsProperty('reference_id', showLocal),
	metadataJsonProperty,
	metadataFieldsProperty,
	{
		displayName: 'Update Existing Items',
		name: 'update',
		type: 'boolean',
		default: false,
		description:
			'Whether an item whose reference ID is already in the dataset is overwritten (its metadata replaced). When off, such items are left as they are; their result still reads appended, unless Options → Skip Items Already in Dataset is on.',
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: false,
		description:
			'Whether to wait until the job is finished and output one result per input item (failed items carry the error). Otherwise one item per job is output at once.',
		displayOptions: { show: showRemote, hide: LEGACY },
	},
	{
		displayName: 'Wait for Completion',
		name: 'waitForCompletion',
		type: 'boolean',
		default: true,
		description:
			'Whether to wait until the jobs are finished and output one result per input item (failed items carry the error). Otherwise one item per job (up to 10 images each) is output at once.',
		displayOptions: { show: showLocal, hide: LEGACY },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_LEGACY_BATCH },
				default: 20,
				description: 'Items per synchronous request (Nucleus accepted fewer than 30)',
				displayOptions: { show: { '/mode': ['remote'], ...LEGACY } },
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
				default: DEFAULT_CONCURRENCY,
				description:
					'Most upload requests in flight at once, over one keep-alive connection pool. The node starts at 8 and adapts: one more while Nucleus keeps up, half as many when it answers 429 (too many requests).',
				displayOptions: { show: { '/mode': ['local'] } },
			},
			{
				displayName: 'Concurrency',
				name: 'concurrency',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_CONCURRENCY },
				default: DEFAULT_CONCURRENCY,
				description:
					'Most synchronous batches in flight at once. The node starts at 8 and adapts: one more while the server keeps up, half as many when it answers 429 (too many requests).',
				displayOptions: { show: { '/mode': ['remote'], ...LEGACY } },
			},
			{
				displayName: 'Height',
				name: 'height',
				// Text, not a number field: a size has no sensible default, and a number field would
				// start at one; empty means not sent (validate/dimensions.ts reads digits or a number).
				type: 'string',
				default: '',
				placeholder: 'e.g. 1080',
				description:
					'Image height in pixels, a whole number (required for privacy-mode datasets). Leave empty to not send it.',
			},
			{
				displayName: 'Images per Request',
				name: 'imagesPerRequest',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_IMAGES_PER_REQUEST },
				default: MAX_IMAGES_PER_REQUEST,
				description:
					'Images sent in one upload request, each request becoming one job (Nucleus takes at most 10). Lower it if requests time out.',
				displayOptions: { show: { '/mode': ['local'] }, hide: LEGACY },
			},
			maxAttemptsOption,
			{
				// Stored as `timeout` since 0.1.0: only the label changed, so saved values stay valid.
				displayName: 'Max Wait (Seconds)',
				name: 'timeout',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 3600,
				description:
					'How long to wait for the jobs in all (one request waits at most Options → Request Timeout) before failing with their IDs, so you can resume with Job → Wait for Completion',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
			{
				displayName: 'Poll Interval (Seconds)',
				name: 'pollInterval',
				type: 'number',
				typeOptions: { minValue: MIN_POLL_INTERVAL_S },
				default: 5,
				description: 'How often to check the jobs while waiting',
				displayOptions: { show: { '/waitForCompletion': [true] } },
			},
			{
				displayName: 'Protocol',
				name: 'protocol',
				type: 'options',
				default: 'current',
				description:
					'Leave it on Current. Legacy is only for a Nucleus-compatible server older than July 2026.',
				options: [
					{
						name: 'Current (Asynchronous)',
						value: 'current',
						description:
							'How Nucleus ingests images since July 2026: every append becomes an AsyncJob',
					},
					{
						name: 'Legacy Synchronous (Pre-2026 Servers Only)',
						value: 'legacySync',
						description:
							'The synchronous appends Nucleus removed in July 2026, for a server that still accepts them. Not for api.scale.com.',
					},
				],
			},
			requestTimeoutOption,
			{
				displayName: 'Skip Items Already in Dataset',
				name: 'skipPresent',
				type: 'boolean',
				default: false,
				description:
					'Whether to list the reference IDs the dataset already holds first and not send those items (they come out with outcome already_present). Makes a re-run after a crash cheaper; costs one listing request per 10,000 items in the dataset.',
				displayOptions: { show: { '/update': [false] } },
			},
			{
				displayName: 'Width',
				name: 'width',
				// Text, not a number field: a size has no sensible default, and a number field would
				// start at one; empty means not sent (validate/dimensions.ts reads digits or a number).
				type: 'string',
				default: '',
				placeholder: 'e.g. 1920',
				description:
					'Image width in pixels, a whole number (required for privacy-mode datasets). Leave empty to not send it.',
			},
		],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['datasetItem'], operation: ['append'] } },
	properties,
);
