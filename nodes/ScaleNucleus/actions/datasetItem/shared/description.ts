/**
 * The parameters Append and Update Metadata share, so both read metadata the same way.
 */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

/** Shortest poll interval accepted (a shorter one would poll hundreds of times a second). */
export const MIN_POLL_INTERVAL_S = 0.1;

/** Fields to Exclude of Metadata → All Other Fields (Update Metadata has it too, without a Mode). */
export function excludeFieldsProperty(
	defaultFields: string,
	show: IDisplayOptions['show'] = {},
): INodeProperties {
	return {
		displayName: 'Fields to Exclude',
		name: 'excludeFields',
		type: 'string',
		default: defaultFields,
		description: 'Comma-separated top-level fields of the input item not to send as metadata',
		displayOptions: { show: { ...show, metadataMode: ['allFields'] } },
	};
}

export const metadataJsonProperty: INodeProperties = {
	displayName: 'Metadata (JSON)',
	name: 'metadataJson',
	type: 'json',
	default: '{}',
	description:
		'A JSON object. Numbers must be finite; keys should keep one type across the dataset.',
	displayOptions: { show: { metadataMode: ['json'] } },
};

export const metadataFieldsProperty: INodeProperties = {
	displayName: 'Metadata Fields',
	name: 'metadataFields',
	type: 'fixedCollection',
	typeOptions: { multipleValues: true },
	default: {},
	placeholder: 'Add metadata field',
	displayOptions: { show: { metadataMode: ['fields'] } },
	options: [
		{
			displayName: 'Field',
			name: 'field',
			values: [
				{ displayName: 'Key', name: 'key', type: 'string', default: '' },
				{
					displayName: 'Type',
					name: 'type',
					type: 'options',
					default: 'string',
					description:
						'What the value is sent as. A metadata key should keep one type across the dataset.',
					options: [
						{ name: 'String', value: 'string' },
						{ name: 'Number', value: 'number' },
						{ name: 'Boolean', value: 'boolean' },
						{ name: 'JSON', value: 'json', description: 'An object, an array or any JSON value' },
					],
				},
				{ displayName: 'Value', name: 'value', type: 'string', default: '' },
			],
		},
	],
};
