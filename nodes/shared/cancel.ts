/**
 * Cancellation inside long loops that send nothing (checking 20,000 File Path items before the first
 * request). A loop whose steps await only settled promises never lets a timer run, so neither the
 * user's Stop nor any other timer gets a turn; a cancel point yields to the event loop now and then
 * and throws the abort error once the execution is cancelled.
 */
import { makeAbortError } from './transport/util';

/** How long a loop may run between two turns of the event loop. */
const TURN_MS = 20;

/** A function to await once per step of a loop: cheap (a clock read) between turns. */
export function cancelPoint(signal: AbortSignal | undefined): () => Promise<void> {
	let turnStarted = Date.now();
	return async () => {
		if (Date.now() - turnStarted >= TURN_MS) {
			await new Promise<void>((resolve) => setImmediate(resolve));
			turnStarted = Date.now();
		}
		if (signal?.aborted) throw makeAbortError();
	};
}
