/** Request shape of `ai-chat`. */
import { z } from 'zod';
import { HttpError } from '../_shared/http.ts';
import { parseInput } from '../_shared/validation.ts';

const Id = z.guid({ error: 'must be a uuid' });

/** Characters of one message, before the service's own (equal) limit answers 413. */
export const MAX_MESSAGE_CHARS = 4_000;

export const ChatRequestBody = z.strictObject({
  conversation_id: Id.optional(),
  space_id: Id.optional(),
  message: z.string().optional(),
  confirm: Id.optional(),
  stream: z.boolean().optional(),
});

export type ChatRequestBody = z.output<typeof ChatRequestBody>;

export function parseChatRequest(body: unknown): ChatRequestBody {
  const request = parseInput(ChatRequestBody, body);
  if ((request.message === undefined) === (request.confirm === undefined)) {
    throw new HttpError(422, 'validation_failed', 'Send either a message or confirm: <proposal id> (with conversation_id).', {
      issues: [{ path: '', code: 'invalid_union', message: 'expected message or confirm' }],
    });
  }
  if (request.confirm !== undefined && request.conversation_id === undefined) {
    throw new HttpError(422, 'validation_failed', 'confirm needs the conversation_id the proposal was made in.', {
      issues: [{ path: 'conversation_id', code: 'invalid_type', message: 'required with confirm' }],
    });
  }
  if (request.message !== undefined && request.message.length > MAX_MESSAGE_CHARS) {
    throw new HttpError(413, 'payload_too_large', `A message is at most ${MAX_MESSAGE_CHARS} characters.`, {
      max_chars: MAX_MESSAGE_CHARS,
    });
  }
  return request;
}
