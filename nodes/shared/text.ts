import { stripUrlUserinfo } from './transport/redact';

/**
 * Shortens a text for messages: at most `max` characters, then an ellipsis and the full length.
 * URL user info goes first: a cut inside `user:password@` would hide the `@` that marks it.
 */
export function shorten(text: string, max: number): string {
	const shown = stripUrlUserinfo(text);
	if (shown.length <= max) return shown;
	return `${shown.slice(0, max)}… (${shown.length} characters)`;
}

/** The text on one line (runs of whitespace become one space), shortened to `max` characters. */
export function oneLine(text: string, max: number): string {
	return shorten(text.replace(/\s+/g, ' ').trim(), max);
}
