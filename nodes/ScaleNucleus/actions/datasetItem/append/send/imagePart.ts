import type FormData from 'form-data';
import type { IExecuteFunctions } from 'n8n-workflow';

import { openLocalImage } from '../localSource';
import type { LocalItem } from '../plan';

/**
 * Adds the `image` part of one local item to a multipart body: the file streamed (opened anew for
 * each attempt), named by the item's `image_url` so the server can pair it with its JSON, with its
 * content type and, when known, its length (the request then carries a Content-Length).
 */
export async function appendImagePart(
	form: FormData,
	ctx: IExecuteFunctions,
	item: LocalItem,
): Promise<void> {
	form.append('image', await openLocalImage(ctx, item), {
		filename: item.payload.image_url,
		contentType: item.contentType,
		...(item.size !== undefined ? { knownLength: item.size } : {}),
	});
}
