import type { ResponseParameters } from 'grammy/types';

/**
 * A refusal in Telegram's words: the server answers `{ok:false, error_code, description, parameters?}`
 * with `error_code` as the HTTP status. Descriptions are the real ones (grammY and our code match on them).
 */
export class TelegramError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(description);
    this.name = 'TelegramError';
  }

  toJSON() {
    return { ok: false, error_code: this.errorCode, description: this.description, ...(this.parameters ? { parameters: this.parameters } : {}) };
  }
}

export function badRequest(what: string, parameters?: ResponseParameters): TelegramError {
  return new TelegramError(400, `Bad Request: ${what}`, parameters);
}

export function forbidden(what: string): TelegramError {
  return new TelegramError(403, `Forbidden: ${what}`);
}

export const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';
