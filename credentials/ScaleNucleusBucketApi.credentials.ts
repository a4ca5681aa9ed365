import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Read access to the bucket that Dataset Item → Sync from Bucket lists (S3, or an S3-compatible
 * store: MinIO, Cloudflare R2, Google Cloud Storage's XML API with HMAC keys). Only ListObjectsV2
 * is called with it; Scale reads the images themselves through its own access to the bucket.
 *
 * Requests are signed with Signature Version 4 by the `aws4` library in the node (the same library
 * n8n's own AWS credential signs with), so this credential has no `authenticate` block and no test
 * request: a declarative test cannot sign.
 */
export class ScaleNucleusBucketApi implements ICredentialType {
	name = 'scaleNucleusBucketApi';

	displayName = 'Scale Nucleus Bucket (S3-Compatible) API';

	icon = { light: 'file:../icons/nucleus.svg', dark: 'file:../icons/nucleus.dark.svg' } as const;

	documentationUrl =
		'https://github.com/n8n-nodes-scale-nucleus/n8n-nodes-scale-nucleus/blob/main/docs/bucket-sync.md';

	properties: INodeProperties[] = [
		{
			displayName: 'Region',
			name: 'region',
			type: 'string',
			default: 'us-east-1',
			required: true,
			description: 'Region of the bucket, such as us-east-1. Cloudflare R2 and GCS use "auto".',
		},
		{
			displayName: 'Access Key ID',
			name: 'accessKeyId',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Secret Access Key',
			name: 'secretAccessKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
		{
			displayName: 'Session Token',
			name: 'sessionToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'Only for temporary credentials (AWS STS)',
		},
		{
			displayName: 'Endpoint',
			name: 'endpoint',
			type: 'string',
			default: '',
			placeholder: 'https://storage.googleapis.com',
			description:
				'Leave empty for AWS S3. For an S3-compatible store, its address, such as https://storage.googleapis.com, https://<account>.r2.cloudflarestorage.com or http://minio:9000.',
		},
		{
			displayName: 'Force Path Style',
			name: 'forcePathStyle',
			type: 'boolean',
			default: false,
			description:
				'Whether to address the bucket as <endpoint>/<bucket> instead of <bucket>.<endpoint> (MinIO and most self-hosted stores need this)',
		},
	];
}
