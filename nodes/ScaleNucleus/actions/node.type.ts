import type { AllEntities } from 'n8n-workflow';

type NodeMap = {
	dataset: 'create' | 'delete' | 'get' | 'getMany';
	datasetItem: 'append' | 'get' | 'getMany' | 'delete' | 'updateMetadata';
	job: 'getStatus' | 'getErrors' | 'getMany' | 'waitForCompletion';
};

export type ScaleNucleusType = AllEntities<NodeMap>;
