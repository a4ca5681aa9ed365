/**
 * The compact index of what the dataset holds, read from Nucleus before the bucket is listed, and
 * the diff of each listed object against it (pure once built).
 *
 * One Map entry per reference ID, valued by a small integer: 28 bits of a hash of the stored ETag
 * and two flags. V8 keeps such a value inline (a Smi), so an entry costs the key string (about
 * 16 bytes + its length) plus the Map's slot (about 30 bytes): about 90 bytes for a 40-character
 * reference ID. Keeping a hash rather than the ETag saves ~50 bytes per object; two different
 * ETags share a hash with odds of 1 in 268 million, and such a changed object is then not resent.
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

/** FNV-1a, folded to 28 bits (never NO_ETAG). */
export function etagHash(etag: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < etag.length; i++) {
		h ^= etag.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	const folded = (h ^ (h >>> HASH_BITS)) & HASH_MASK;
	return folded === NO_ETAG ? 0 : folded;
}

/**
 * A copy of `s` that owns its characters. A key cut out of a listing page by the XML parser is, in
 * V8, a slice of the whole page's text and keeps that text (hundreds of KB) alive for as long as the
 * key lives; kept in the index, a million keys would keep every page of the listing.
 */
export function ownCopy(s: string): string {
	return Buffer.from(s, 'utf8').toString('utf8');
}

export class DatasetIndex {
	readonly #entries = new Map<string, number>();

	get size(): number {
		return this.#entries.size;
	}

	/** One item of the dataset, as listed. */
	addStored(referenceId: string, etag: string | undefined, inScope: boolean): void {
		const hash = etag ? etagHash(etag) : NO_ETAG;
		this.#entries.set(referenceId, hash | (inScope ? IN_SCOPE : 0));
	}

	has(referenceId: string): boolean {
		return this.#entries.has(referenceId);
	}

	/**
	 * What to do with a listed object, and records that it was listed. A reference ID listed twice in
	 * one run (two keys that the rule maps to one ID) is a 'duplicate': only the first is sent.
	 */
	decide(referenceId: string, etag: string, updateChanged: boolean): Decision {
		const entry = this.#entries.get(referenceId);
		if (entry === undefined) {
			this.#entries.set(ownCopy(referenceId), SEEN | etagHash(etag));
			return 'new';
		}
		if (entry & SEEN) return 'duplicate';
		this.#entries.set(referenceId, entry | SEEN);
		const stored = entry & HASH_MASK;
		if (updateChanged && stored !== NO_ETAG && stored !== etagHash(etag)) return 'changed';
		return 'present';
	}

	/** Items of the synced prefix that this run's listing did not have (their object is gone). */
	goneCount(): number {
		let gone = 0;
		for (const entry of this.#entries.values()) if (entry & IN_SCOPE && !(entry & SEEN)) gone++;
		return gone;
	}

	/** Whether an object of this run's listing has this reference ID. */
	seen(referenceId: string): boolean {
		return ((this.#entries.get(referenceId) ?? 0) & SEEN) !== 0;
	}
}
