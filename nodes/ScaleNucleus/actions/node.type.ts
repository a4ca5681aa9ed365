import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	dataset: 'create' | 'get' | 'getMany';
	datasetItem: 'append' | 'get' | 'getMany' | 'delete';
	job: 'getStatus' | 'getErrors' | 'waitForCompletion';
};

export type ScaleNucleusType = AllEntities<NodeMap>;
