/** Shortens a text for messages: at most `max` characters, then an ellipsis and the full length. */
export function shorten(text: string, max: number): string {
	if (text.length <= max) return text;
	return `${text.slice(0, max)}… (${text.length} characters)`;
}

/** The text on one line (runs of whitespace become one space), shortened to `max` characters. */
export function oneLine(text: string, max: number): string {
	return shorten(text.replace(/\s+/g, ' ').trim(), max);
}
