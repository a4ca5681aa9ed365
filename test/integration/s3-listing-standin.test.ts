/**
 * The bench's listing-only S3 stand-in (test/harness/s3-listing.ts) answers ListObjectsV2 as
 * s3rver does for the same keys: the same pages (keys, sizes, ETags), the same folders, the same
 * place where a page ends, read through the node's own listing code.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { fetchListPage, listPages, type ListPage } from '../../nodes/shared/bucket';
import type { BucketCredentials } from '../../nodes/shared/bucket';
import type { INode } from 'n8n-workflow';
import { startS3Server, type S3Server } from '../harness/s3';
import { arraySource, startListingStandIn, type ListingStandIn } from '../harness/s3-listing';

const BUCKET = 'standin-check';
const node = { name: 'Scale Nucleus', type: 'n8n-nodes-scale-nucleus.scaleNucleus' } as INode;

let s3: S3Server;
let standIn: ListingStandIn;

/** 2,300 keys: 3 folders of 700, a nested folder, and objects at the prefix's own level. */
const keys = [
	...['a', 'b', 'c'].flatMap((f) =>
		Array.from({ length: 700 }, (_, i) => `in/${f}/${String(i).padStart(4, '0')}.png`),
	),
	...Array.from({ length: 150 }, (_, i) => `in/b/deep/${i}.jpg`),
	...Array.from({ length: 50 }, (_, i) => `in/top-${i}.png`),
	'out/other.png',
];

before(async () => {
	s3 = await startS3Server();
	await s3.createBucket(BUCKET);
	const bodies = keys.map((key, i) => Buffer.from(`object ${i} ${key}`));
	const etags = await s3.putObjects(
		BUCKET,
		keys.map((key, i) => ({ key, body: bodies[i] })),
	);
	// Sizes and ETags as s3rver stored them; the dates come from each page below.
	standIn = await startListingStandIn(
		arraySource(
			keys.map((key, i) => ({
				key,
				size: bodies[i].length,
				etag: etags[i].replace(/"/g, ''),
				lastModified: '',
			})),
		),
		{ pageDelayMs: 0 },
	);
});
after(async () => {
	await standIn?.close();
	await s3?.close();
});

function creds(endpoint: string): BucketCredentials {
	return {
		region: 'us-east-1',
		accessKeyId: s3.accessKeyId,
		secretAccessKey: s3.secretAccessKey,
		endpoint,
		forcePathStyle: true,
	};
}

async function walk(endpoint: string, prefix: string, delimiter?: string): Promise<ListPage[]> {
	const pages: ListPage[] = [];
	const fetch = (params: Parameters<typeof fetchListPage>[3]) =>
		fetchListPage(node, creds(endpoint), BUCKET, params);
	for await (const page of listPages(fetch, { prefix, delimiter, maxPages: 100 })) pages.push(page);
	return pages;
}

/** A page without the dates (s3rver's are the upload times) and the opaque token's value. */
const comparable = (pages: ListPage[]) =>
	pages.map((p) => ({
		objects: p.objects.map(({ key, size, etag }) => ({ key, size, etag })),
		folders: p.folders,
		more: p.nextToken !== undefined,
	}));

describe('the listing stand-in answers as s3rver', () => {
	const cases: Array<[string, string, string | undefined]> = [
		['the whole bucket', '', undefined],
		['a prefix of 2,250 objects (3 pages)', 'in/', undefined],
		['one folder', 'in/b/', undefined],
		['a prefix inside a name', 'in/to', undefined],
		['nothing', 'nope/', undefined],
		['folders of a prefix', 'in/', '/'],
		['folders of a folder', 'in/b/', '/'],
	];
	for (const [what, prefix, delimiter] of cases) {
		test(what, async () => {
			const expected = comparable(await walk(s3.endpoint, prefix, delimiter));
			const actual = comparable(await walk(standIn.endpoint, prefix, delimiter));
			assert.deepEqual(actual, expected);
			assert.ok(expected.length >= 1);
		});
	}
});
