/**
 * The compact index of what the dataset holds, read from Nucleus before the bucket is listed, and
 * the diff of each listed object against it (pure once built).
 *
 * An open-addressing hash table on typed arrays: per reference ID, a 64-bit hash of it (two 32-bit
 * words) and one 32-bit word holding 28 bits of a hash of the stored ETag and two flags. With the
 * table kept at most half full, that is 12 to 24 bytes per object (about 25 MB for a million,
 * against about 80 MB for a Map of the reference ID strings), and no string is kept at all.
 *
 * Hashes stand for the strings, so two of them can collide: two reference IDs share a 64-bit hash
 * with odds of about 1 in 36 million for a million objects (a new object would then be taken as
 * present, or as a duplicate, and not sent); two ETags share a 28-bit hash with odds of 1 in 268
 * million (a changed object would not be resent).
 */

export type Decision = 'new' | 'changed' | 'present' | 'duplicate';

const HASH_BITS = 28;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** The stored item has no ETag in its metadata (not synced from a bucket, or older). */
const NO_ETAG = HASH_MASK;
/** The item's image is in the synced bucket prefix: it counts as gone when the listing lacks it. */
const IN_SCOPE = 1 << 28;
/** An object of this run's listing has this reference ID. */
const SEEN = 1 << 29;
/** The slot holds an entry (a hash may be 0). */
const USED = 1 << 30;

/** FNV-1a over the UTF-16 code units, with a seed. */
function fnv1a(s: string, seed: number): number {
	let h = seed >>> 0;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	// Final avalanche (murmur3's fmix32), so that near keys spread over the table.
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35);
	h ^= h >>> 16;
	return h >>> 0;
}

/** 28 bits of the ETag's hash (never NO_ETAG). */
export function etagHash(etag: string): number {
	const h = fnv1a(etag, 0x811c9dc5) & HASH_MASK;
	return h === NO_ETAG ? 0 : h;
}

interface Found {
	hi: number;
	lo: number;
	slot: number;
	entry: number | undefined;
}

export class DatasetIndex {
	#hi = new Uint32Array(1024);
	#lo = new Uint32Array(1024);
	#value = new Uint32Array(1024);
	#size = 0;

	get size(): number {
		return this.#size;
	}

	/** The slot of the reference ID: its entry, or the empty slot where it would go. */
	#slot(hi: number, lo: number): number {
		const mask = this.#value.length - 1;
		let i = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask;
		while (this.#value[i] & USED && (this.#hi[i] !== hi || this.#lo[i] !== lo)) i = (i + 1) & mask;
		return i;
	}

	#grow(): void {
		const { length } = this.#value;
		const [hi, lo, value] = [this.#hi, this.#lo, this.#value];
		this.#hi = new Uint32Array(length * 2);
		this.#lo = new Uint32Array(length * 2);
		this.#value = new Uint32Array(length * 2);
		for (let i = 0; i < length; i++) {
			if (!(value[i] & USED)) continue;
			const j = this.#slot(hi[i], lo[i]);
			this.#hi[j] = hi[i];
			this.#lo[j] = lo[i];
			this.#value[j] = value[i];
		}
	}

	#get(referenceId: string): Found {
		const hi = fnv1a(referenceId, 0x811c9dc5);
		const lo = fnv1a(referenceId, 0x27d4eb2f);
		const slot = this.#slot(hi, lo);
		const v = this.#value[slot];
		return { hi, lo, slot, entry: v & USED ? v : undefined };
	}

	#set(found: Found, value: number): void {
		let { slot } = found;
		if (found.entry === undefined) {
			if ((this.#size + 1) * 2 > this.#value.length) {
				this.#grow();
				slot = this.#slot(found.hi, found.lo);
			}
			this.#hi[slot] = found.hi;
			this.#lo[slot] = found.lo;
			this.#size++;
		}
		this.#value[slot] = value | USED;
	}

	/** One item of the dataset, as listed. */
	addStored(referenceId: string, etag: string | undefined, inScope: boolean): void {
		const found = this.#get(referenceId);
		this.#set(found, (etag ? etagHash(etag) : NO_ETAG) | (inScope ? IN_SCOPE : 0));
	}

	has(referenceId: string): boolean {
		return this.#get(referenceId).entry !== undefined;
	}

	/**
	 * What to do with a listed object, and records that it was listed. A reference ID listed twice in
	 * one run (two keys that the rule maps to one ID) is a 'duplicate': only the first is sent.
	 */
	decide(referenceId: string, etag: string, updateChanged: boolean): Decision {
		const found = this.#get(referenceId);
		const { slot, entry } = found;
		if (entry === undefined) {
			this.#set(found, SEEN | etagHash(etag));
			return 'new';
		}
		if (entry & SEEN) return 'duplicate';
		this.#value[slot] = entry | SEEN;
		const stored = entry & HASH_MASK;
		if (updateChanged && stored !== NO_ETAG && stored !== etagHash(etag)) return 'changed';
		return 'present';
	}

	/** Items of the synced prefix that this run's listing did not have (their object is gone). */
	goneCount(): number {
		let gone = 0;
		for (const v of this.#value) if (v & USED && v & IN_SCOPE && !(v & SEEN)) gone++;
		return gone;
	}

	/** Whether an object of this run's listing has this reference ID. */
	seen(referenceId: string): boolean {
		return ((this.#get(referenceId).entry ?? 0) & SEEN) !== 0;
	}
}
