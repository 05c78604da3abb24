import type { CallbackQuery } from 'grammy/types';
import { badRequest } from './errors.js';

/** What the bot answered to one button press. */
export interface CallbackAnswer {
  callbackQueryId: string;
  /** The press it answers: who pressed and which data. */
  fromId: number;
  data?: string;
  text?: string;
  showAlert: boolean;
  url?: string;
  cacheTime?: number;
  at: Date;
}

/** Button presses handed to the bot and the answers it gave; each press can be answered once. */
export class CallbackBook {
  readonly answers: CallbackAnswer[] = [];
  private readonly queries = new Map<string, { query: CallbackQuery; answered: boolean }>();

  add(query: CallbackQuery): void {
    this.queries.set(query.id, { query, answered: false });
  }

  answer(id: string, fields: { text?: string; showAlert: boolean; url?: string; cacheTime?: number }): void {
    const entry = this.queries.get(id);
    if (!entry || entry.answered) throw badRequest('query is too old and response timeout expired or query ID is invalid');
    // Telegram shows at most 200 characters in the notification or alert.
    if (fields.text !== undefined && fields.text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
    entry.answered = true;
    const answer: CallbackAnswer = { callbackQueryId: id, fromId: entry.query.from.id, showAlert: fields.showAlert, at: new Date() };
    if (entry.query.data !== undefined) answer.data = entry.query.data;
    if (fields.text !== undefined) answer.text = fields.text;
    if (fields.url !== undefined) answer.url = fields.url;
    if (fields.cacheTime !== undefined) answer.cacheTime = fields.cacheTime;
    this.answers.push(answer);
  }

  /** Presses the bot has not answered (their buttons would still be spinning). */
  unanswered(): CallbackQuery[] {
    return [...this.queries.values()].filter((e) => !e.answered).map((e) => e.query);
  }

  clear(): void {
    this.answers.length = 0;
    this.queries.clear();
  }
}
