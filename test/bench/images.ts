/** The bench's input files: PNGs of noise (local_upload) and large files (large_files). */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

import { MB } from './n8n-exec';

function crc32(buf: Buffer): number {
	let c = 0xffffffff;
	for (const b of buf) {
		c ^= b;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	}
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([len, body, crc]);
}

/** A valid 128x128 RGB PNG of noise, stored without compression: about 50 KB. */
function makePng(seed: number): Buffer {
	const size = 128;
	const noise = randomBytes(size * size * 3);
	const raw = Buffer.alloc(size * (size * 3 + 1));
	for (let y = 0; y < size; y++) {
		raw[y * (size * 3 + 1)] = 0;
		noise.copy(raw, y * (size * 3 + 1) + 1, y * size * 3, (y + 1) * size * 3);
	}
	raw[1] = seed & 255;
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(size, 0);
	ihdr.writeUInt32BE(size, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	return Buffer.concat([
		Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
		pngChunk('IHDR', ihdr),
		pngChunk('IDAT', deflateSync(raw, { level: 0 })),
		pngChunk('IEND', Buffer.alloc(0)),
	]);
}

export async function makeImages(folder: string, count: number): Promise<number> {
	await mkdir(folder, { recursive: true });
	let bytes = 0;
	for (let i = 1; i <= count; i++) {
		const png = makePng(i);
		bytes += png.length;
		writeFileSync(path.join(folder, `img-${String(i).padStart(6, '0')}.png`), png);
	}
	return bytes;
}

/** Files `from`..`to` of `mb` MiB each (1 MiB of random bytes repeated), named .jpg. */
export function makeLargeFiles(folder: string, from: number, to: number, mb: number): void {
	mkdirSync(folder, { recursive: true });
	const block = randomBytes(MB);
	for (let i = from; i <= to; i++) {
		const fd = openSync(path.join(folder, `large-${String(i).padStart(2, '0')}.jpg`), 'w');
		for (let j = 0; j < mb; j++) {
			block[0] = i;
			block[1] = j;
			writeSync(fd, block);
		}
		closeSync(fd);
	}
}
