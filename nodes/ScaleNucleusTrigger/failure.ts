/**
 * Why a poll failed, declared on the error the way n8n's poll back-off reads it: NodeError's
 * `failure` (n8n-workflow 2.41, errors/failure.d.ts; n8n PR 36531). n8n waits for what a timed cause
 * asks and backs off long on an actionable one, so every error a poll ends with says which it is:
 * - the transport's errors (NodeApiError) declare their own cause and pass through unchanged;
 * - a parameter the trigger refuses, or an expression in one that fails: `configuration-invalid`
 *   (someone has to change it);
 * - a 2xx answer that is not what Nucleus sends (UnexpectedAnswerError: a proxy's or gateway's page,
 *   an odd body): `temporarily-unavailable`, since the cursor did not move and a later poll may get
 *   the right answer (the message says to check the Base URL if it repeats);
 * - anything else is a defect of the node: `node-defect`.
 */
import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { UnexpectedAnswerError } from '../shared/api/unexpected';

/** Where in the poll the error arose: reading the parameters, or polling. */
export type PollStage = 'parameters' | 'poll';

/** The error a poll ends with, its cause declared (the same object when it already is a node error). */
export function pollError(
	node: INode,
	error: unknown,
	stage: PollStage,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError) return error;
	if (error instanceof NodeOperationError && (error.failure || stage === 'poll')) return error;
	const cause =
		stage === 'parameters'
			? 'configuration-invalid'
			: error instanceof UnexpectedAnswerError
				? 'temporarily-unavailable'
				: 'node-defect';
	// Given a NodeOperationError, NodeOperationError sets the cause on it and returns that same object.
	return new NodeOperationError(node, error as Error, { failure: { cause } });
}
