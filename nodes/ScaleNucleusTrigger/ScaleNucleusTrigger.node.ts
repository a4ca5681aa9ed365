import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { testNucleusCredential } from '../shared/credentialTest';
import { searchDatasets } from '../shared/listSearch';
import { NucleusClient, redactDeep } from '../shared/transport';
import { properties } from './description';
import { pollError } from './failure';
import { readConfig, type TriggerConfig } from './parameters';
import { pollJobs } from './poll';
import { fetchSample } from './sample';

export class ScaleNucleusTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Scale Nucleus Trigger',
		name: 'scaleNucleusTrigger',
		icon: { light: 'file:../../icons/nucleus.svg', dark: 'file:../../icons/nucleus.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ { all: "All jobs", dataset: "Jobs of one dataset", jobIds: "Specific jobs" }[$parameter["watch"]] }}',
		// n8n's node creator merges a node and its trigger into one entry and shows the trigger's
		// description there (generateMergedNodesAndActions), so it describes both nodes.
		description:
			'Append images to Nucleus datasets, follow their import jobs, or start a workflow when jobs finish',
		defaults: {
			name: 'Scale Nucleus Trigger',
		},
		credentials: [
			{
				name: 'scaleNucleusApi',
				required: true,
				testedBy: 'scaleNucleusApiTest',
			},
		],
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties,
	};

	methods = {
		listSearch: {
			searchDatasets,
		},
		credentialTest: { scaleNucleusApiTest: testNucleusCredential },
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		let config: TriggerConfig;
		try {
			config = readConfig(this);
		} catch (error) {
			throw pollError(this.getNode(), error, 'parameters');
		}
		const client = await NucleusClient.fromContext(this);
		try {
			// Job errors quote image URLs as sent: what is emitted shows them without user:password@.
			if (this.getMode() === 'manual') return redactDeep(await fetchSample(this, client, config));
			return redactDeep(await pollJobs(this, client, config));
		} catch (error) {
			// n8n's poll back-off reads the declared cause (failure.ts).
			throw pollError(this.getNode(), error, 'poll');
		} finally {
			await client.close();
		}
	}
}
