import FormData from 'form-data';
import type { Readable } from 'node:stream';

import type { DatasetItemPayload } from './types';

export interface LocalImage {
	/** Opens the file anew; called once per attempt so a retried request streams it again. */
	open: () => Promise<Readable | Buffer> | Readable | Buffer;
	fileName: string;
	contentType: string;
	/** Size in bytes when known; lets the request carry a Content-Length instead of chunked encoding. */
	size?: number;
}

/**
 * The multipart body of one local append: a part `item` (the DatasetItem as JSON, with the
 * `update` flag per item as the API expects for local uploads) and a part `image` (the file).
 * The file is streamed, never buffered.
 */
export async function buildLocalItemForm(
	item: DatasetItemPayload,
	update: boolean,
	image: LocalImage,
): Promise<FormData> {
	const form = new FormData();
	form.append('item', JSON.stringify({ ...item, update }), {
		contentType: 'application/json',
	});
	const body = await image.open();
	form.append('image', body, {
		filename: image.fileName,
		contentType: image.contentType,
		...(image.size !== undefined ? { knownLength: image.size } : {}),
	});
	return form;
}
