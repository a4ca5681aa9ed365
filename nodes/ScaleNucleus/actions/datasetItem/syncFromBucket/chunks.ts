/**
 * Chunking of the objects to send (pure): one NDJSON file, so one append job, per chunk.
 *
 * Why 10,000 objects per job by default: a chunk's NDJSON (about 250–400 bytes a line) is a few MB,
 * built in memory once and uploaded with a known Content-Length; a million new objects make 100
 * jobs, so job creation and polling cost little next to the listing; a job that fails or is lost
 * in a crash concerns at most one chunk, and the next run resends only what the dataset lacks.
 * A chunk is also closed at MAX_CHUNK_BYTES, far below the API's 512 MiB per upload.
 */
import type { SyncItem } from './objectToItem';

export const DEFAULT_OBJECTS_PER_JOB = 10_000;
export const MAX_OBJECTS_PER_JOB = 100_000;
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export interface Chunk {
	/** The NDJSON lines, each ending with "\n". */
	lines: string[];
	bytes: number;
	firstKey: string;
	lastKey: string;
	newObjects: number;
	changedObjects: number;
}

export class ChunkBuilder {
	#current: Chunk | undefined;

	constructor(
		private readonly objectsPerJob: number,
		private readonly maxBytes = MAX_CHUNK_BYTES,
	) {}

	/** Adds one object; returns the chunk it completed, if any. */
	add(item: SyncItem, key: string, changed: boolean): Chunk | undefined {
		// Plain JSON values only (strings, numbers, the fixed metadata parsed from JSON): one line each.
		const line = `${JSON.stringify(item)}\n`;
		const bytes = Buffer.byteLength(line, 'utf8');
		let done: Chunk | undefined;
		if (this.#current && this.#current.bytes + bytes > this.maxBytes) done = this.flush();
		const chunk = (this.#current ??= {
			lines: [],
			bytes: 0,
			firstKey: key,
			lastKey: key,
			newObjects: 0,
			changedObjects: 0,
		});
		chunk.lines.push(line);
		chunk.bytes += bytes;
		chunk.lastKey = key;
		if (changed) chunk.changedObjects++;
		else chunk.newObjects++;
		if (chunk.lines.length >= this.objectsPerJob) return this.flush() ?? done;
		return done;
	}

	/** The chunk being filled, closed now (undefined when empty). */
	flush(): Chunk | undefined {
		const chunk = this.#current;
		this.#current = undefined;
		return chunk;
	}
}
