/**
 * Metadata → Fields Below: the value of one row, sent as the type the row names. The editor's Value
 * box is text, so without a type `0.93` or `true` would be stored as a string, and Nucleus refuses a
 * later number under the same key (a metadata key keeps one type in a dataset: Scale docs,
 * "Upload metadata"). Pure: the caller turns a refusal into an error naming the item and the key.
 */

export const METADATA_FIELD_TYPES = ['string', 'number', 'boolean', 'json'] as const;
export type MetadataFieldType = (typeof METADATA_FIELD_TYPES)[number];

const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

export type FieldValue = { value: unknown } | { refused: string };

function shown(value: unknown): string {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
}

/**
 * The value to send for `raw` (what the Value box or its expression gave) as `type`; a row without
 * a type is String, the field's default. A number or boolean given by an expression passes as it is
 * for its own type and becomes text for String; text is converted only when all of it is the
 * type's literal.
 */
export function metadataFieldValue(raw: unknown, type: unknown = 'string'): FieldValue {
	switch (type ?? 'string') {
		case 'string':
			if (typeof raw === 'string') return { value: raw };
			if (typeof raw === 'number' || typeof raw === 'boolean') return { value: String(raw) };
			if (raw === null || raw === undefined) return { value: '' };
			return {
				refused: `is ${Array.isArray(raw) ? 'an array' : 'an object'}, not text: choose Type JSON`,
			};
		case 'number': {
			if (typeof raw === 'number') {
				if (Number.isFinite(raw)) return { value: raw };
				return { refused: `${shown(String(raw))} is not a finite number` };
			}
			// Decimal notation only: Number() would also take '0x10', 'Infinity' and ''.
			const text = typeof raw === 'string' ? raw.trim() : undefined;
			if (text !== undefined && DECIMAL.test(text)) return { value: Number(text) };
			return { refused: `${shown(raw ?? '')} is not a number` };
		}
		case 'boolean': {
			if (typeof raw === 'boolean') return { value: raw };
			const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
			if (text === 'true') return { value: true };
			if (text === 'false') return { value: false };
			return { refused: `${shown(raw ?? '')} is not true or false` };
		}
		case 'json': {
			if (typeof raw !== 'string') return { value: raw ?? null };
			try {
				return { value: JSON.parse(raw) as unknown };
			} catch {
				return { refused: `${shown(raw)} is not valid JSON (strings need double quotes)` };
			}
		}
		default:
			return { refused: `has the unknown type ${shown(String(type))}` };
	}
}
