import type { Api } from 'grammy';

const TTL_MS = 60_000;
const MEMBER = new Set(['creator', 'administrator', 'member']);

/**
 * Who may act on a card (buttons, replies, commands): members of that tenant's managers chat, asked from Telegram
 * (getChatMember) and remembered for a minute so a burst of presses costs one call. A `chat_member` update (someone
 * left, was removed or joined) replaces the remembered answer at once, so a removed manager cannot act for that minute.
 */
export class MembershipCache {
  private readonly cache = new Map<string, { member: boolean; at: number }>();

  constructor(private readonly api: Api, private readonly clock: () => number) {}

  async isMember(chatId: number, userId: number): Promise<boolean> {
    const key = `${chatId}:${userId}`;
    const hit = this.cache.get(key);
    if (hit && this.clock() - hit.at < TTL_MS) return hit.member;
    let member = false;
    try {
      const status = await this.api.getChatMember(chatId, userId);
      member = MEMBER.has(status.status) || (status.status === 'restricted' && status.is_member);
    } catch {
      member = false;
    }
    this.cache.set(key, { member, at: this.clock() });
    return member;
  }

  /** What a `chat_member` update said about `userId` in `chatId`: its new status, remembered from now. */
  learn(chatId: number, userId: number, status: string, isMember = false): void {
    this.cache.set(`${chatId}:${userId}`, { member: MEMBER.has(status) || (status === 'restricted' && isMember), at: this.clock() });
  }
}
