/**
 * Checks the image of a local item before anything is sent: the binary field exists and is not
 * empty, or the file path is allowed by n8n, is a regular file and is not empty. This is the only
 * validation step that touches the file system or n8n's binary data service.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';

import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { BINARY_ENCODING } from 'n8n-workflow';

import { runPool } from '../../../../shared/pool';
import { contentTypeForFile } from './datasetItem';
import type { ItemParameters } from '../shared/itemParameters';
import type { LocalInput } from './read';
import { itemProblem, type ItemProblem } from '../validate/problem';

/** The image of a local item, checked and ready to open. */
export type LocalSource =
	| {
			kind: 'binary';
			binary: IBinaryData;
			/** Exact size when n8n knows it (stored binary data, or base64 in memory). */
			size?: number;
			fileName: string;
			contentType: string;
	  }
	| { kind: 'path'; path: string; size: number; fileName: string; contentType: string };

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function problem(itemIndex: number, field: string, message: string, description?: string) {
	return itemProblem(itemIndex, field, `Item ${itemIndex}: ${message}`, description);
}

/** Exact sizes of binary data by id, looked up ahead of the per-item checks (see prefetchBinarySizes). */
export type BinarySizes = Map<string, Promise<number>>;

/**
 * n8n keeps the exact size of stored binary data in its metadata (a small file per binary in
 * filesystem mode). Reading it item after item costs a round trip each; this starts the lookups for
 * every item up front, 32 at a time. Failures are reported by the per-item check that awaits them.
 */
export async function prefetchBinarySizes(
	ctx: IExecuteFunctions,
	params: ItemParameters,
	items: INodeExecutionData[],
): Promise<BinarySizes> {
	const ids = new Set<string>();
	for (let i = 0; i < items.length; i++) {
		try {
			if (params.get('imageSource', i, 'binary') !== 'binary') continue;
			const name = String(params.get('binaryPropertyName', i, 'data') ?? '').trim();
			const id = items[i].binary?.[name]?.id;
			if (id) ids.add(id);
		} catch {
			// the per-item check reports it
		}
	}
	const list = [...ids];
	const sizes: BinarySizes = new Map();
	await runPool(list.length, 32, async (k) => {
		const lookup = ctx.helpers.getBinaryMetadata(list[k]).then((m) => m.fileSize);
		sizes.set(list[k], lookup);
		await lookup.catch(() => undefined);
	});
	return sizes;
}

async function checkBinary(
	ctx: IExecuteFunctions,
	sizes: BinarySizes,
	item: INodeExecutionData,
	itemIndex: number,
	property: unknown,
): Promise<LocalSource | ItemProblem> {
	const field = 'Input Binary Field';
	const name = String(property ?? '').trim();
	const binary = name ? item.binary?.[name] : undefined;
	if (!binary) {
		const available = Object.keys(item.binary ?? {});
		return problem(
			itemIndex,
			field,
			`Input Binary Field "${name}" is not on the item`,
			available.length
				? `The item has the binary fields: ${available.join(', ')}. Set Input Binary Field to one of them.`
				: 'The item has no binary data. Add a node that reads or downloads the file before this one.',
		);
	}
	const fileName =
		binary.fileName || `${itemIndex}${binary.fileExtension ? '.' + binary.fileExtension : ''}`;
	let size: number | undefined;
	if (binary.id) {
		try {
			size = await (sizes.get(binary.id) ??
				ctx.helpers.getBinaryMetadata(binary.id).then((m) => m.fileSize));
		} catch (error) {
			return problem(
				itemIndex,
				field,
				`Input Binary Field "${name}" cannot be read: ${errorText(error)}`,
			);
		}
	} else if (typeof binary.data === 'string') {
		size = Buffer.byteLength(binary.data, 'base64');
	}
	if (size === 0) {
		return problem(itemIndex, field, `Input Binary Field "${name}" is empty (0 bytes)`);
	}
	return {
		kind: 'binary',
		binary,
		size,
		fileName,
		contentType: binary.mimeType || contentTypeForFile(fileName),
	};
}

async function checkPath(
	ctx: IExecuteFunctions,
	itemIndex: number,
	rawPath: unknown,
): Promise<LocalSource | ItemProblem> {
	const field = 'File Path';
	const path = typeof rawPath === 'string' ? rawPath.trim() : '';
	if (!path) return problem(itemIndex, field, 'File Path is empty');
	try {
		// n8n's own file helpers enforce N8N_RESTRICT_FILE_ACCESS_TO, blocked paths and symlinks.
		const resolved = await ctx.helpers.resolvePath(path);
		// Refuse blocked paths, then anything but a regular file, BEFORE n8n's createReadStream opens
		// it: opening a FIFO for reading waits for a writer, which would hang the execution for good.
		if (
			typeof ctx.helpers.isFilePathBlocked === 'function' &&
			ctx.helpers.isFilePathBlocked(resolved)
		) {
			return problem(
				itemIndex,
				field,
				`File Path "${path}" cannot be used: Access to the file is not allowed.`,
				"The file must lie inside the folders n8n may access (N8N_RESTRICT_FILE_ACCESS_TO), and not in n8n's own folder.",
			);
		}
		const info = await stat(resolved);
		if (!info.isFile()) {
			return problem(itemIndex, field, `File Path "${path}" is not a regular file`);
		}
		const probe = await ctx.helpers.createReadStream(resolved);
		probe.destroy();
		if (info.size === 0) return problem(itemIndex, field, `File Path "${path}" is empty (0 bytes)`);
		const fileName = path.split(/[\\/]/).pop() || path;
		return {
			kind: 'path',
			path: resolved,
			size: info.size,
			fileName,
			contentType: contentTypeForFile(fileName),
		};
	} catch (error) {
		const code = (error as { code?: string }).code;
		const reason =
			code === 'ENOENT'
				? 'does not exist'
				: code === 'EACCES' || code === 'EPERM'
					? 'is not readable'
					: errorText(error);
		return problem(
			itemIndex,
			field,
			`File Path "${path}" cannot be used: ${reason}`,
			'The file must exist, be readable by n8n and lie inside the folders n8n may access (N8N_RESTRICT_FILE_ACCESS_TO).',
		);
	}
}

/** Checks the image source of one local item. */
export async function checkLocalSource(
	ctx: IExecuteFunctions,
	sizes: BinarySizes,
	item: INodeExecutionData,
	itemIndex: number,
	input: LocalInput,
): Promise<LocalSource | ItemProblem> {
	if (input.imageSource === 'binary') {
		return await checkBinary(ctx, sizes, item, itemIndex, input.binaryProperty);
	}
	return await checkPath(ctx, itemIndex, input.filePath);
}

/**
 * Opens the image of a local item for one request attempt. Binary data with an id (n8n's
 * filesystem, database and S3 modes) is streamed through n8n's binary data service; `.data` is only
 * used when the binary has no id (then it holds the base64 content in memory). Paths go through
 * n8n's file helpers, so file-access restrictions are enforced again at upload time.
 */
export async function openLocalImage(
	ctx: IExecuteFunctions,
	item: LocalSource,
): Promise<Readable | Buffer> {
	if (item.kind === 'path') return await ctx.helpers.createReadStream(item.path as never);
	if (item.binary.id) {
		// n8n reads stored binary data in 64 KiB chunks by default; a smaller image is read in one
		// chunk of its own size (measured: ~14% less CPU in n8n for ~50 KB images).
		const chunkSize = item.size ? Math.min(item.size, 64 * 1024) : undefined;
		return await ctx.helpers.getBinaryStream(item.binary.id, chunkSize);
	}
	return Buffer.from(item.binary.data, BINARY_ENCODING);
}
