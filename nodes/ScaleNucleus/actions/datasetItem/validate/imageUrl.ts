/**
 * The check of a remote item's Image URL: `http://`, `https://` (with a host), `s3://bucket/key`,
 * `gs://bucket/key` (scheme case-insensitive). Surrounding whitespace is removed; the URL is
 * otherwise sent as typed (not re-encoded).
 */
import { describeValue, quote, redactedProblem, truncate, type ItemProblem } from './problem';

const SUPPORTED_SCHEMES_TEXT = 'http://, https://, s3:// or gs://';

/** "Item N: Image URL", built only when a message needs it (not once per valid item). */
function imageUrlField(itemIndex: number): string {
	return `Item ${itemIndex}: Image URL`;
}

/**
 * URLs the checks below accept, as one test without allocation: no whitespace anywhere (so the
 * value is its own trimmed form), `//` then a host (http, https) or a bucket name and a non-empty
 * key (s3, gs). Anything else takes the full path, which names what is wrong.
 */
const PLAIN_HTTP_URL = /^https?:\/\/[^/\s]\S*$/i;
const PLAIN_BUCKET_URL = /^(?:s3|gs):\/\/[a-zA-Z0-9][a-zA-Z0-9._-]*\/\S+$/i;

export function validateImageUrl(value: unknown, itemIndex: number): string | ItemProblem {
	if (typeof value === 'string') {
		if (PLAIN_BUCKET_URL.test(value)) return value;
		if (PLAIN_HTTP_URL.test(value) && URL.canParse(value)) return value;
	}
	const field = 'Image URL';
	const localHint =
		"For a file on the n8n host or binary data from a previous node, set 'Mode' to 'Local File'.";
	if (value === undefined || value === null) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} is missing`,
			`Set 'Image URL' to an expression that gives the image location (${SUPPORTED_SCHEMES_TEXT}), e.g. {{ $json.url }}.`,
		);
	}
	if (typeof value !== 'string') {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} must be text, but got ${describeValue(value)}`,
			`Use an expression that gives the image location as text (${SUPPORTED_SCHEMES_TEXT}).`,
		);
	}
	const url = value.trim();
	if (url.length === 0) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} is empty`,
			`Set 'Image URL' to the image location (${SUPPORTED_SCHEMES_TEXT}).`,
		);
	}
	const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(url);
	// "C:\images\cat.jpg" or "C:/images/cat.jpg" is a Windows path, not a URL with scheme "c".
	const isWindowsPath = schemeMatch !== null && /^[a-zA-Z]:[\\/]/.test(url);
	if (!schemeMatch || isWindowsPath) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is not a URL; Nucleus needs ${SUPPORTED_SCHEMES_TEXT}`,
			`Use a full URL such as https://example.com/cat.jpg or s3://bucket/cat.jpg. ${localHint}`,
		);
	}
	const scheme = schemeMatch[1].toLowerCase();
	if (scheme === 'gcs') {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} uses gcs://, which Nucleus does not accept; use gs:// for Google Cloud Storage`,
			'Write Google Cloud Storage locations as gs://bucket/path/to/image.jpg.',
		);
	}
	if (scheme === 'file') {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is a local file URL; Nucleus can only fetch ${SUPPORTED_SCHEMES_TEXT}`,
			`${localHint} Remote mode never reads files from the n8n host.`,
		);
	}
	if (scheme !== 'http' && scheme !== 'https' && scheme !== 's3' && scheme !== 'gs') {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} uses the unsupported scheme '${truncate(scheme, 20)}://'; Nucleus accepts ${SUPPORTED_SCHEMES_TEXT}`,
			`Host the image where Nucleus can fetch it (${SUPPORTED_SCHEMES_TEXT}). ${localHint}`,
		);
	}
	const rest = url.slice(schemeMatch[0].length);
	if (!rest.startsWith('//') || rest.startsWith('///')) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} is malformed: expected ${scheme}:// followed by a ${scheme === 'http' || scheme === 'https' ? 'host' : 'bucket'}`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (/\s/.test(url)) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} contains whitespace`,
			'Percent-encode spaces in the URL (%20) or fix the expression that builds it.',
		);
	}
	if (scheme === 'http' || scheme === 'https') {
		// The WHATWG parser refuses an http(s) URL without a host, so parsing is the whole check;
		// URL.canParse does it without building a URL object per item.
		if (!URL.canParse(url)) {
			return redactedProblem(
				itemIndex,
				field,
				`${imageUrlField(itemIndex)} ${quote(url)} is not a valid URL (no host or malformed)`,
				`Write it as ${exampleFor(scheme)}.`,
			);
		}
		return url;
	}
	// s3:// and gs://: bucket and object key are both required.
	const m = /^[a-zA-Z0-9]+:\/\/([^/?#]*)(?:\/(.*))?$/.exec(url);
	const bucket = m?.[1] ?? '';
	const key = m?.[2] ?? '';
	if (bucket.length === 0) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} has no bucket name`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(bucket)) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} has an invalid bucket name ${quote(bucket)}`,
			`Bucket names use letters, digits, dots, hyphens and underscores. Write it as ${exampleFor(scheme)}.`,
		);
	}
	if (key.length === 0) {
		return redactedProblem(
			itemIndex,
			field,
			`${imageUrlField(itemIndex)} ${quote(url)} names a bucket but no image (object key)`,
			`Write it as ${exampleFor(scheme)}.`,
		);
	}
	return url;
}

function exampleFor(scheme: string): string {
	switch (scheme) {
		case 's3':
			return 's3://my-bucket/path/to/image.jpg';
		case 'gs':
			return 'gs://my-bucket/path/to/image.jpg';
		default:
			return `${scheme}://example.com/path/to/image.jpg`;
	}
}
