import { GrammyError, HttpError } from 'grammy';

export type TelegramFailure =
  | { kind: 'not_modified' }
  | { kind: 'migrated'; newChatId: number }
  | { kind: 'forbidden'; description: string }
  | { kind: 'rate_limited'; retryAfterMs: number; description: string }
  | { kind: 'transient'; description: string }
  | { kind: 'bad_request'; description: string };

/** What a failed Bot API call means for the desk: decided once, here. */
export function classifyTelegramError(err: unknown): TelegramFailure {
  if (err instanceof GrammyError) {
    const description = err.description;
    if (err.error_code === 400 && /message is not modified/i.test(description)) return { kind: 'not_modified' };
    if (err.parameters.migrate_to_chat_id) return { kind: 'migrated', newChatId: err.parameters.migrate_to_chat_id };
    if (err.error_code === 403) return { kind: 'forbidden', description };
    if (err.error_code === 429) return { kind: 'rate_limited', retryAfterMs: (err.parameters.retry_after ?? 5) * 1000, description };
    if (err.error_code >= 500) return { kind: 'transient', description };
    if (err.error_code === 400 && /chat not found|bot was kicked|not a member|have no rights|not enough rights/i.test(description)) return { kind: 'forbidden', description };
    return { kind: 'bad_request', description: `${err.error_code} ${description}` };
  }
  if (err instanceof HttpError) return { kind: 'transient', description: `Telegram unreachable: ${err.message}` };
  return { kind: 'transient', description: err instanceof Error ? err.message : String(err) };
}
