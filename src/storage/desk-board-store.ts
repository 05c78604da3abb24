import type { Db } from './open-db.js';

/** What one Telegram message of a managers' group is to the desk. */
export interface DeskMessageRole {
  kind: 'card' | 'relay' | 'reminder' | 'notice' | 'manager' | 'status';
  /** The request number managers see, and where the handover stands now. */
  handoverNumber: number | null;
  handoverStatus: 'waiting' | 'taken' | 'resolved' | null;
}

/** Read-only SQL for the demo console: the desk's own record of the messages of a group (src/demo/desk-view.ts). */
export class DeskBoardStore {
  constructor(private readonly db: Db) {}

  /** Roles by Telegram message id, for every message the desk posted or received in `chatId`. */
  roles(chatId: number): Map<number, DeskMessageRole> {
    const rows = this.db.prepare(`SELECT d.telegram_message_id AS messageId, d.kind, h.number AS handoverNumber, h.status AS handoverStatus
      FROM desk_messages d LEFT JOIN handovers h ON h.id = d.handover_id WHERE d.chat_id = ?`).all(chatId) as (DeskMessageRole & { messageId: number })[];
    return new Map(rows.map(({ messageId, ...role }) => [messageId, role]));
  }
}
