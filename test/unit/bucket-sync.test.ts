/**
 * The pure parts of Dataset Item → Sync from Bucket, table by table. One file for one operation's
 * decisions: it is long because the tables are, not because of logic.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { parseListPage } from '../../nodes/shared/bucket/listPage';
import { listPages, type PageFetcher } from '../../nodes/shared/bucket/pages';
import { walkBucket } from '../../nodes/shared/bucket/walk';
import { signedListRequest } from '../../nodes/shared/bucket/request';
import { bucketAddress } from '../../nodes/shared/bucket/credentials';
import { ChunkBuilder } from '../../nodes/ScaleNucleus/actions/datasetItem/syncFromBucket/chunks';
import {
	DatasetIndex,
	etagHash,
} from '../../nodes/ScaleNucleus/actions/datasetItem/syncFromBucket/datasetIndex';
import {
	isGivenUp,
	MAX_TRACKED,
	nextFailureCounts,
	readFailureCounts,
} from '../../nodes/ScaleNucleus/actions/datasetItem/syncFromBucket/failures';
import { failedObjectsOf } from '../../nodes/ScaleNucleus/actions/datasetItem/syncFromBucket/jobErrors';
import {
	checkTemplate,
	datasetItemOf,
	folderMetadata,
	isTaken,
	referenceIdOf,
	type ObjectRules,
} from '../../nodes/ScaleNucleus/actions/datasetItem/syncFromBucket/objectToItem';

const rules: ObjectRules = {
	bucket: 'nucleus-images',
	scheme: 's3',
	prefix: 'incoming/',
	referenceIdRule: 'key',
	template: '',
	extensions: ['png', 'jpg'],
	folderFields: ['', 'weather', 'site'],
	fixedMetadata: { source: 'camera-7' },
};

describe('key → reference ID', () => {
	const cases: Array<[string, ObjectRules['referenceIdRule'], string, string]> = [
		['incoming/sunny/0001.png', 'key', '', 'incoming/sunny/0001.png'],
		['incoming/sunny/0001.png', 'keyWithoutExtension', '', 'incoming/sunny/0001'],
		['0001.png', 'keyWithoutExtension', '', '0001'],
		['incoming/a.b/0001', 'keyWithoutExtension', '', 'incoming/a.b/0001'],
		['incoming/.hidden', 'keyWithoutExtension', '', 'incoming/.hidden'],
		['incoming/x.tar.gz', 'keyWithoutExtension', '', 'incoming/x.tar'],
		['incoming/sunny/0001.png', 'template', '{folder}/{name}', 'incoming/sunny/0001'],
		['incoming/sunny/0001.png', 'template', 'cam7-{name}', 'cam7-0001'],
		['incoming/sunny/0001.png', 'template', '{key}#v1', 'incoming/sunny/0001.png#v1'],
		['0001.png', 'template', '{folder}:{name}', ':0001'],
	];
	for (const [key, rule, template, expected] of cases) {
		test(`${rule} ${template} ${key} → ${expected}`, () => {
			assert.equal(referenceIdOf(key, { referenceIdRule: rule, template }), expected);
		});
	}
	const templates: Array<[string, string | undefined]> = [
		['{folder}/{name}', undefined],
		['{key}', undefined],
		['', 'Reference ID Template is empty'],
		[
			'{folder}',
			'Reference ID Template needs {key} or {name}, or every object would get the same reference ID',
		],
		[
			'{name}-{ext}',
			'Reference ID Template uses {ext}, but only {key}, {name} and {folder} are known',
		],
	];
	for (const [template, problem] of templates) {
		test(`template "${template}" is ${problem ? 'refused' : 'accepted'}`, () => {
			assert.equal(checkTemplate(template), problem);
		});
	}
});

describe('object → metadata and filters', () => {
	test('folder levels below the prefix become the named fields; size, last-modified, ETag and fixed fields are set', () => {
		const item = datasetItemOf(
			{
				key: 'incoming/sunny/north/0001.png',
				size: 68,
				lastModified: '2026-12-01T10:00:00.000Z',
				etag: 'abc',
			},
			'r1',
			rules,
		);
		assert.deepEqual(item, {
			reference_id: 'r1',
			image_url: 's3://nucleus-images/incoming/sunny/north/0001.png',
			metadata: {
				source: 'camera-7',
				weather: 'sunny',
				site: 'north',
				key: 'incoming/sunny/north/0001.png',
				size: 68,
				last_modified: '2026-12-01T10:00:00.000Z',
				etag: 'abc',
			},
		});
		assert.equal(
			datasetItemOf({ key: 'a/b.png', size: 1, lastModified: '', etag: 'e' }, 'r', {
				...rules,
				scheme: 'gs',
			}).image_url,
			'gs://nucleus-images/a/b.png',
		);
	});
	const folders: Array<[string, string[], Record<string, string>]> = [
		['incoming/sunny/0001.png', ['', 'weather', 'site'], { weather: 'sunny' }],
		['incoming/0001.png', ['', 'weather'], {}],
		[
			'incoming/sunny/north/x/0001.png',
			['', 'weather', 'site'],
			{ weather: 'sunny', site: 'north' },
		],
		['incoming/sunny/0001.png', ['top', 'weather'], { top: 'incoming', weather: 'sunny' }],
		['incoming/sunny/0001.png', ['', ''], {}],
		['incoming/sunny/0001.png', [], {}],
		['0001.png', ['top'], {}],
	];
	for (const [key, names, expected] of folders) {
		test(`folders of ${key} with [${names.join(', ')}]`, () => {
			assert.deepEqual(folderMetadata(key, names), expected);
		});
	}
	const filters: Array<[string, string, string, boolean]> = [
		['incoming/a.png', '2026-12-01T00:00:00Z', 'matching extension', true],
		['incoming/a.PNG', '2026-12-01T00:00:00Z', 'extension in another case', true],
		['incoming/a.txt', '2026-12-01T00:00:00Z', 'other extension', false],
		['incoming/a', '2026-12-01T00:00:00Z', 'no extension', false],
		['incoming/sunny/', '2026-12-01T00:00:00Z', 'folder marker', false],
		['incoming/a.png', '2026-11-30T23:59:59Z', 'modified before', false],
		['incoming/a.png', '2026-12-01T00:00:00Z', 'modified at the moment itself', false],
		['incoming/a.png', 'not a date', 'unreadable date', false],
	];
	for (const [key, modified, what, taken] of filters) {
		test(`${what}: ${taken ? 'taken' : 'left out'}`, () => {
			const object = { key, size: 1, lastModified: modified, etag: 'e' };
			const modifiedAfter =
				what.startsWith('modified') || what.startsWith('unreadable')
					? Date.parse('2026-12-01T00:00:00Z') - (what.includes('moment') ? 0 : 1000)
					: undefined;
			assert.equal(isTaken(object, { extensions: ['png', 'jpg'], modifiedAfter }), taken);
		});
	}
	test('no extensions listed: every object but folder markers', () => {
		assert.equal(
			isTaken({ key: 'a/b', size: 0, lastModified: '', etag: '' }, { extensions: [] }),
			true,
		);
		assert.equal(
			isTaken({ key: 'a/', size: 0, lastModified: '', etag: '' }, { extensions: [] }),
			false,
		);
	});
});

describe('diff against the dataset index', () => {
	const cases: Array<{
		what: string;
		stored?: string | null;
		etag: string;
		update: boolean;
		expected: string;
	}> = [
		{ what: 'absent', etag: 'e1', update: false, expected: 'new' },
		{ what: 'present, same ETag', stored: 'e1', etag: 'e1', update: true, expected: 'present' },
		{
			what: 'present, other ETag, update off',
			stored: 'e1',
			etag: 'e2',
			update: false,
			expected: 'present',
		},
		{
			what: 'present, other ETag, update on',
			stored: 'e1',
			etag: 'e2',
			update: true,
			expected: 'changed',
		},
		{
			what: 'present without a stored ETag, update on',
			stored: null,
			etag: 'e2',
			update: true,
			expected: 'present',
		},
	];
	for (const c of cases) {
		test(`${c.what} → ${c.expected}`, () => {
			const index = new DatasetIndex();
			if (c.stored !== undefined) index.addStored('r', c.stored ?? undefined, true);
			assert.equal(index.decide('r', c.etag, c.update), c.expected);
			assert.equal(index.seen('r'), true);
		});
	}
	test('a reference ID listed twice in one run is a duplicate the second time', () => {
		const index = new DatasetIndex();
		index.addStored('kept', 'e', true);
		assert.equal(index.decide('a', 'e', false), 'new');
		assert.equal(index.decide('a', 'f', false), 'duplicate');
		assert.equal(index.decide('kept', 'e', false), 'present');
		assert.equal(index.decide('kept', 'e', false), 'duplicate');
	});
	test('gone: items of the synced prefix the listing did not have; items of elsewhere are not counted', () => {
		const index = new DatasetIndex();
		index.addStored('listed', 'e', true);
		index.addStored('gone-1', 'e', true);
		index.addStored('gone-2', undefined, true);
		index.addStored('elsewhere', 'e', false);
		index.decide('listed', 'e', false);
		index.decide('new', 'e', false);
		assert.equal(index.goneCount(), 2);
		assert.equal(index.size, 5);
	});
	test('ETag hashes fit 28 bits and tell apart the ETags of a real listing', () => {
		const hashes = new Set<number>();
		for (let i = 0; i < 100_000; i++) {
			const h = etagHash(`${i.toString(16).padStart(32, '0')}`);
			assert.ok(h >= 0 && h < 2 ** 28);
			hashes.add(h);
		}
		assert.ok(hashes.size > 99_950, `${hashes.size} distinct hashes of 100,000`);
	});
});

describe('chunking: one job per chunk', () => {
	const item = (i: number) => ({ reference_id: `r${i}`, image_url: `s3://b/k${i}`, metadata: {} });
	const cases: Array<[number, number, number, number[]]> = [
		// objects, objects per job, byte cap, chunk sizes
		[0, 3, 1e9, []],
		[1, 3, 1e9, [1]],
		[7, 3, 1e9, [3, 3, 1]],
		[6, 3, 1e9, [3, 3]],
		[5, 1, 1e9, [1, 1, 1, 1, 1]],
		[5, 100, 120, [2, 2, 1]],
	];
	for (const [n, perJob, cap, sizes] of cases) {
		test(`${n} objects, ${perJob} per job, ${cap} bytes at most → ${JSON.stringify(sizes)}`, () => {
			const builder = new ChunkBuilder(perJob, cap);
			const chunks = [];
			for (let i = 0; i < n; i++) {
				const full = builder.add(item(i), `k${i}`, i % 2 === 1);
				if (full) chunks.push(full);
			}
			const last = builder.flush();
			if (last) chunks.push(last);
			assert.deepEqual(
				chunks.map((c) => c.lines.length),
				sizes,
			);
			let k = 0;
			for (const c of chunks) {
				assert.equal(c.firstKey, `k${k}`);
				k += c.lines.length;
				assert.equal(c.lastKey, `k${k - 1}`);
				assert.equal(c.bytes, Buffer.byteLength(c.lines.join('')));
				assert.equal(c.newObjects + c.changedObjects, c.lines.length);
				for (const line of c.lines) assert.ok(line.endsWith('\n') && JSON.parse(line).reference_id);
			}
		});
	}
});

describe('retry cap bookkeeping', () => {
	test('a failure counts once per run; the cap leaves the object out', () => {
		let counts = readFailureCounts(undefined);
		for (let run = 1; run <= 3; run++) {
			assert.equal(isGivenUp(counts, 'r', 3), false);
			counts = nextFailureCounts(
				counts,
				['r', 'r'],
				() => false,
				() => true,
			);
			assert.equal(counts.r, run);
		}
		assert.equal(isGivenUp(counts, 'r', 3), true);
	});
	const cases: Array<{ what: string; stored?: boolean; listed?: boolean; kept: boolean }> = [
		{ what: 'still failing object, listed', listed: true, kept: true },
		{ what: 'item now in the dataset', stored: true, listed: true, kept: false },
		{ what: 'object gone from the bucket', listed: false, kept: false },
		{ what: 'listing incomplete (no listed check)', kept: true },
	];
	for (const c of cases) {
		test(`${c.what}: ${c.kept ? 'kept' : 'dropped'}`, () => {
			const next = nextFailureCounts(
				{ r: 2 },
				[],
				() => c.stored === true,
				c.listed === undefined ? undefined : () => c.listed!,
			);
			assert.equal('r' in next, c.kept);
		});
	}
	test('bad static data is ignored; at most MAX_TRACKED entries, the newest kept', () => {
		assert.deepEqual(readFailureCounts({ a: 1, b: 'x', c: -1, d: 1.5 }), { a: 1 });
		assert.deepEqual(readFailureCounts([1]), {});
		const many: Record<string, number> = {};
		for (let i = 0; i < MAX_TRACKED; i++) many[`old${i}`] = 1;
		const next = nextFailureCounts(many, ['new'], () => false);
		assert.equal(Object.keys(next).length, MAX_TRACKED);
		assert.equal(next.new, 1);
		assert.equal('old0' in next, false);
	});
});

describe('job errors → failed objects', () => {
	test('errors quoting an image URL of the bucket name its key; others stay unmatched', () => {
		const { byKey, unmatched } = failedObjectsOf(
			[
				{
					text: 'Failure when processing the image "s3://nucleus-images/incoming/a.png": could not fetch image (HTTP 404)',
				},
				{ text: 'Failure when processing the image "s3://other/incoming/b.png": x' },
				{ text: 'Job ran out of memory' },
				{ text: 'Failure when processing the image "s3://nucleus-images/incoming/a.png": again' },
			],
			's3://nucleus-images/',
		);
		assert.deepEqual([...byKey.keys()], ['incoming/a.png']);
		assert.match(byKey.get('incoming/a.png')!, /HTTP 404[\s\S]*again/);
		assert.equal(unmatched.length, 2);
	});
});

describe('ListObjectsV2 answers', () => {
	const page = (body: string) =>
		`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</ListBucketResult>`;
	test('objects, ETags without quotes, keys kept as text, next token', () => {
		const parsed = parseListPage(
			page(
				'<Name>b</Name><Prefix>in/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok+/=</NextContinuationToken>' +
					'<Contents><Key>in/0001</Key><LastModified>2026-12-01T10:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>68</Size><StorageClass>STANDARD</StorageClass></Contents>' +
					'<Contents><Key>in/a &amp; b.png</Key><LastModified>2026-12-01T10:00:01.000Z</LastModified><ETag>"e2"</ETag><Size>0</Size></Contents>',
			),
		);
		assert.deepEqual(parsed, {
			objects: [
				{
					key: 'in/0001',
					size: 68,
					lastModified: '2026-12-01T10:00:00.000Z',
					etag: '9b2cf535f27731c974343645a3985328',
				},
				{ key: 'in/a & b.png', size: 0, lastModified: '2026-12-01T10:00:01.000Z', etag: 'e2' },
			],
			folders: [],
			nextToken: 'tok+/=',
		});
	});
	test('url encoding-type: keys and folders decoded; last page has no token; folders read', () => {
		const parsed = parseListPage(
			page(
				'<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated><Contents><Key>in/a+b%2Bc.png</Key><Size>1</Size><ETag>"e"</ETag></Contents><CommonPrefixes><Prefix>in/sunny%20days/</Prefix></CommonPrefixes>',
			),
		);
		assert.equal(parsed.objects[0].key, 'in/a b+c.png');
		assert.deepEqual(parsed.folders, ['in/sunny days/']);
		assert.equal(parsed.nextToken, undefined);
	});
	const bad: Array<[string, string, RegExp]> = [
		['an error document', '<Error><Code>AccessDenied</Code></Error>', /without a ListBucketResult/],
		[
			'truncated without a token',
			page('<IsTruncated>true</IsTruncated>'),
			/no NextContinuationToken/,
		],
		['an object without a key', page('<Contents><Size>1</Size></Contents>'), /without a Key/],
	];
	for (const [what, xml, message] of bad) {
		test(`refused: ${what}`, () => assert.throws(() => parseListPage(xml), message));
	}
});

describe('the listing request', () => {
	const creds = {
		region: 'us-east-1',
		accessKeyId: 'AKIDEXAMPLE',
		secretAccessKey: 'secret',
		endpoint: '',
		forcePathStyle: false,
	};
	const cases: Array<[string, Partial<typeof creds>, string, string]> = [
		['AWS, virtual-hosted', {}, 'imgs', 'https://imgs.s3.us-east-1.amazonaws.com/'],
		[
			'AWS, bucket with dots: path style',
			{},
			'my.imgs',
			'https://s3.us-east-1.amazonaws.com/my.imgs/',
		],
		[
			'MinIO, path style',
			{ endpoint: 'http://minio:9000', forcePathStyle: true },
			'imgs',
			'http://minio:9000/imgs/',
		],
		[
			'GCS',
			{ endpoint: 'https://storage.googleapis.com', region: 'auto' },
			'imgs',
			'https://imgs.storage.googleapis.com/',
		],
	];
	for (const [what, over, bucket, base] of cases) {
		test(what, () => {
			const c = { ...creds, ...over };
			const req = signedListRequest(c, bucket, { prefix: 'in/(1)', continuationToken: 'a+b/c=' });
			assert.ok(
				req.url.startsWith(
					`${base}?list-type=2&max-keys=1000&prefix=in%2F%281%29&encoding-type=url&continuation-token=a%2Bb%2Fc%3D`,
				),
				req.url,
			);
			assert.equal(req.headers.host, bucketAddress(c, bucket).host);
			assert.match(
				req.headers.authorization,
				new RegExp(
					`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/${c.region}/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$`,
				),
			);
		});
	}
	test('a session token is sent and signed', () => {
		const req = signedListRequest({ ...creds, sessionToken: 'tok' }, 'imgs', { prefix: '' });
		assert.equal(req.headers['x-amz-security-token'], 'tok');
		assert.match(req.headers.authorization, /x-amz-security-token/);
	});
});

describe('the page walk', () => {
	const objects = (keys: string[]) =>
		keys.map((key) => ({ key, size: 1, lastModified: '', etag: 'e' }));
	async function walk(
		fetcher: PageFetcher,
		maxPages = 10,
		signal?: AbortSignal,
	): Promise<string[]> {
		const keys: string[] = [];
		for await (const p of listPages(fetcher, { prefix: 'p/', maxPages, signal }))
			keys.push(...p.objects.map((o) => o.key));
		return keys;
	}
	test('follows continuation tokens to the last page', async () => {
		const pages: Record<string, { keys: string[]; next?: string }> = {
			'': { keys: ['p/1', 'p/2'], next: 't1' },
			t1: { keys: ['p/3'], next: 't2' },
			t2: { keys: ['p/4'] },
		};
		const asked: Array<string | undefined> = [];
		const keys = await walk(async (params) => {
			asked.push(params.continuationToken);
			const p = pages[params.continuationToken ?? ''];
			return { objects: objects(p.keys), folders: [], nextToken: p.next };
		});
		assert.deepEqual(keys, ['p/1', 'p/2', 'p/3', 'p/4']);
		assert.deepEqual(asked, [undefined, 't1', 't2']);
	});
	const failures: Array<[string, PageFetcher, RegExp]> = [
		[
			'a token given twice',
			async (params) => ({
				objects: objects([`p/${params.continuationToken ?? 0}`]),
				folders: [],
				nextToken: params.continuationToken === '1' ? '1' : '1',
			}),
			/had given before/,
		],
		[
			'a page repeated under a new token',
			(() => {
				let n = 0;
				return async () => ({
					objects: objects(['p/1', 'p/2']),
					folders: [],
					nextToken: `t${n++}`,
				});
			})(),
			/already listed/,
		],
		[
			'more pages than the cap',
			(() => {
				let n = 0;
				return async () => {
					n++;
					return {
						objects: objects([`p/${String(n).padStart(4, '0')}`]),
						folders: [],
						nextToken: `t${n}`,
					};
				};
			})(),
			/more than 10 pages/,
		],
	];
	for (const [what, fetcher, message] of failures) {
		test(`stops on ${what}`, async () => {
			await assert.rejects(walk(fetcher), message);
		});
	}
	test('a cancelled execution stops the walk between pages', async () => {
		const controller = new AbortController();
		let n = 0;
		await assert.rejects(
			walk(
				async () => {
					n++;
					if (n === 3) controller.abort();
					return { objects: objects([`p/${n}`]), folders: [], nextToken: `t${n}` };
				},
				100,
				controller.signal,
			),
			(e: Error) => e.name === 'AbortError' || /abort/i.test(e.message),
		);
		assert.equal(n, 3);
	});
});

describe('walking a prefix folder by folder', () => {
	/** A fake bucket: `keys` listed as S3 would, 2 keys a page. */
	function fakeBucket(keys: string[]) {
		const asked: string[] = [];
		const fetcher: PageFetcher = async (params) => {
			asked.push(`${params.prefix}|${params.delimiter ?? ''}|${params.continuationToken ?? ''}`);
			const under = keys.filter((k) => k.startsWith(params.prefix)).sort();
			const entries: Array<{ key?: string; folder?: string }> = [];
			for (const k of under) {
				const cut = params.delimiter ? k.indexOf(params.delimiter, params.prefix.length) : -1;
				if (cut < 0) entries.push({ key: k });
				else {
					const folder = k.slice(0, cut + 1);
					if (!entries.some((e) => e.folder === folder)) entries.push({ folder });
				}
			}
			const start = Number(params.continuationToken ?? 0);
			const slice = entries.slice(start, start + 2);
			return {
				objects: slice
					.filter((e) => e.key)
					.map((e) => ({ key: e.key!, size: 1, lastModified: '', etag: 'e' })),
				folders: slice.filter((e) => e.folder).map((e) => e.folder!),
				nextToken: start + 2 < entries.length ? String(start + 2) : undefined,
			};
		};
		return { fetcher, asked };
	}
	const keys = [
		'in/top.png',
		'in/a/1',
		'in/a/2',
		'in/a/3',
		'in/b/1',
		'in/b/deep/2',
		'in/c/1',
		'out/x',
	];
	for (const concurrency of [1, 2, 8]) {
		test(`every key under the prefix exactly once, ${concurrency} folder(s) at a time`, async () => {
			const { fetcher } = fakeBucket(keys);
			const seen: string[] = [];
			const r = await walkBucket(
				fetcher,
				{ prefix: 'in/', maxPages: 100, concurrency },
				async (page) => {
					seen.push(...page.objects.map((o) => o.key));
				},
			);
			assert.deepEqual(seen.sort(), keys.filter((k) => k.startsWith('in/')).sort());
			assert.equal(r.folders, 3);
		});
	}
	test('the page cap counts the pages of all walks together', async () => {
		const { fetcher } = fakeBucket(keys);
		// 2 pages of folders, then a, a, b, c: 6 pages in all.
		await walkBucket(fetcher, { prefix: 'in/', maxPages: 6, concurrency: 3 }, async () => {});
		await assert.rejects(
			walkBucket(
				fakeBucket(keys).fetcher,
				{ prefix: 'in/', maxPages: 5, concurrency: 3 },
				async () => {},
			),
			/more than 5 pages/,
		);
	});
	test('a cancel stops every walk', async () => {
		const controller = new AbortController();
		const { fetcher, asked } = fakeBucket(keys);
		await assert.rejects(
			walkBucket(
				fetcher,
				{ prefix: 'in/', maxPages: 100, concurrency: 2, signal: controller.signal },
				async () => {
					controller.abort();
				},
			),
			(e: Error) => e.name === 'AbortError' || /abort/i.test(e.message),
		);
		assert.ok(asked.length <= 3, `${asked.length} pages asked`);
	});
});

describe('the index at scale', () => {
	test('200,000 reference IDs: each found, each decided once, none taken for another', () => {
		const index = new DatasetIndex();
		const ref = (i: number) => `incoming/f${i % 7}/${String(i).padStart(8, '0')}.png`;
		for (let i = 0; i < 200_000; i += 2) index.addStored(ref(i), `etag-${i}`, true);
		assert.equal(index.size, 100_000);
		let wrong = 0;
		for (let i = 0; i < 200_000; i++) {
			const d = index.decide(ref(i), `etag-${i}`, true);
			if (d !== (i % 2 === 0 ? 'present' : 'new')) wrong++;
		}
		assert.equal(wrong, 0);
		assert.equal(index.size, 200_000);
		assert.equal(index.goneCount(), 0);
		assert.equal(index.decide(ref(3), 'x', true), 'duplicate');
		assert.equal(index.has('incoming/other.png'), false);
	});
});
