/**
 * The XML answer of one ListObjectsV2 page (AWS S3 API reference "ListObjectsV2", response
 * elements), read with fast-xml-parser: every value is kept as text (a key "0001" stays "0001").
 */
import { OperationalError } from 'n8n-workflow';
import { XMLParser } from 'fast-xml-parser';

export interface BucketObject {
	key: string;
	size: number;
	/** ISO 8601, as S3 gives it. */
	lastModified: string;
	/** Without the surrounding quotes S3 puts around it. */
	etag: string;
}

export interface ListPage {
	objects: BucketObject[];
	/** "Folders" (CommonPrefixes) when the request had a delimiter, each ending with it. */
	folders: string[];
	/** The token for the next page, or undefined on the last page. */
	nextToken?: string;
}

const parser = new XMLParser({
	ignoreAttributes: true,
	parseTagValue: false,
	trimValues: false,
	isArray: (name) => name === 'Contents' || name === 'CommonPrefixes',
});

type Element = Record<string, unknown>;

function text(element: Element, name: string): string | undefined {
	const value = element[name];
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return String(value);
	// An empty element (<Prefix/> or <Prefix></Prefix>) reads as ''.
	if (
		value === '' ||
		(value !== null && typeof value === 'object' && Object.keys(value).length === 0)
	)
		return '';
	return undefined;
}

/** S3's `encoding-type=url` form: percent-encoding, with a space written as '+'. */
function decodeKey(value: string): string {
	return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** Parses one page; throws a plain Error saying what is missing when the XML is not a listing. */
export function parseListPage(xml: string): ListPage {
	let doc: Element | undefined;
	let problem = '';
	try {
		doc = parser.parse(xml) as Element;
	} catch (error) {
		problem = (error as Error).message;
	}
	if (!doc) throw new OperationalError(`The bucket listing is not XML: ${problem}`);
	const result = doc?.ListBucketResult as Element | undefined;
	if (!result || typeof result !== 'object') {
		throw new OperationalError('The bucket answered without a ListBucketResult element');
	}
	const encoded = text(result, 'EncodingType') === 'url';
	const key = (value: string): string => (encoded ? decodeKey(value) : value);
	const objects: BucketObject[] = [];
	for (const c of (result.Contents as Element[] | undefined) ?? []) {
		const k = text(c, 'Key');
		if (k === undefined || k === '')
			throw new OperationalError('The bucket listed an object without a Key');
		const size = Number(text(c, 'Size') ?? NaN);
		objects.push({
			key: key(k),
			size: Number.isFinite(size) ? size : 0,
			lastModified: text(c, 'LastModified') ?? '',
			etag: (text(c, 'ETag') ?? '').replace(/^"|"$/g, ''),
		});
	}
	const folders: string[] = [];
	for (const p of (result.CommonPrefixes as Element[] | undefined) ?? []) {
		const prefix = text(p, 'Prefix');
		if (prefix) folders.push(key(prefix));
	}
	const truncated = text(result, 'IsTruncated') === 'true';
	const token = text(result, 'NextContinuationToken');
	if (truncated && !token) {
		throw new OperationalError(
			'The bucket said the listing goes on but gave no NextContinuationToken',
		);
	}
	return { objects, folders, ...(truncated ? { nextToken: token } : {}) };
}
