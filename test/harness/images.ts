/**
 * Small, valid image files for tests that need real image bytes (an S3 bucket of images, files to
 * upload): a 1×1 RGB PNG whose colour comes from `n`, so up to 16,777,216 distinct files.
 */
import { crc32, deflateSync } from 'node:zlib';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(data.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
	return Buffer.concat([head, data, crc]);
}

/** A 1×1 PNG of colour `n` (0 … 0xffffff); distinct `n` give distinct bytes. */
export function tinyPng(n: number): Buffer {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(1, 0); // width
	ihdr.writeUInt32BE(1, 4); // height
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // colour type: RGB
	const row = Buffer.from([0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]); // filter 0 + one pixel
	return Buffer.concat([
		PNG_SIGNATURE,
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(row)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
