import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot } from '../../src/paths.js';

/**
 * The peer corpus of WhatsApp webhook bodies (../shared/peer-fixtures/whatsapp/, see its README): read at test time,
 * never copied into the repository. BOTCTL_PEER_FIXTURES points at it from anywhere (a clean clone elsewhere);
 * otherwise it is looked for next to the repository. Null when absent: the tests that need it say so and skip.
 */
export function peerFixturesDir(): string | null {
  // Next to the checkout (/work/main → /work/shared), or next to the folder of worktrees (/work/wt/<name> → /work/shared).
  const candidates = [
    process.env.BOTCTL_PEER_FIXTURES,
    resolve(packageRoot, '..', 'shared', 'peer-fixtures', 'whatsapp'),
    resolve(packageRoot, '..', '..', 'shared', 'peer-fixtures', 'whatsapp'),
  ].filter((d): d is string => Boolean(d));
  return candidates.find((d) => existsSync(join(d, 'README.md'))) ?? null;
}

export interface PeerFixture {
  name: string;
  body: Record<string, any>;
}

export function loadPeerFixtures(dir: string): PeerFixture[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((name) => ({ name, body: JSON.parse(readFileSync(join(dir, name), 'utf8')) as Record<string, any> }));
}

export interface ReplayedMessage {
  fixture: string;
  wamid: string;
  type: string;
  /** Where replies to this customer go: the phone number, or the BSUID of a username-only customer. */
  address: string;
}

/**
 * Rewrites a fixture for replay, as its README allows: every change routed to `phoneNumberId`, every message and
 * status id unique, and every customer identity (phone numbers, user ids) replaced by one of this fixture's own, so
 * each fixture's customers are strangers to the others'. The structure is untouched. Returns the body and its messages.
 */
export function rewriteForReplay(fixture: PeerFixture, index: number, phoneNumberId: string): { body: Record<string, any>; messages: ReplayedMessage[] } {
  const body = structuredClone(fixture.body);
  const phones = new Map<string, string>();
  const users = new Map<string, string>();
  const phone = (old: string) => {
    if (!phones.has(old)) phones.set(old, `7709${String(index).padStart(3, '0')}${String(phones.size).padStart(4, '0')}`);
    return phones.get(old)!;
  };
  const user = (old: string) => {
    if (!users.has(old)) users.set(old, `KZ.${9000 + index}${String(users.size).padStart(6, '0')}`);
    return users.get(old)!;
  };
  const messages: ReplayedMessage[] = [];
  for (const [e, entry] of (Array.isArray(body.entry) ? body.entry : []).entries()) {
    for (const [c, change] of (Array.isArray(entry?.changes) ? entry.changes : []).entries()) {
      const value = change?.value;
      if (change?.field !== 'messages' || typeof value !== 'object' || value === null) continue;
      if (value.metadata) value.metadata.phone_number_id = phoneNumberId;
      for (const contact of value.contacts ?? []) {
        if (typeof contact.wa_id === 'string') contact.wa_id = phone(contact.wa_id);
        if (typeof contact.user_id === 'string') contact.user_id = user(contact.user_id);
      }
      for (const [m, message] of (value.messages ?? []).entries()) {
        if (typeof message.from === 'string') message.from = phone(message.from);
        if (typeof message.from_user_id === 'string') message.from_user_id = user(message.from_user_id);
        if (typeof message.system?.wa_id === 'string') message.system.wa_id = phone(message.system.wa_id);
        if (typeof message.id === 'string') message.id = `wamid.peer.${index}.${e}.${c}.${m}`;
        const only = value.contacts?.length === 1 ? value.contacts[0] : undefined;
        const address = message.from ?? only?.wa_id ?? message.from_user_id ?? only?.user_id;
        if (typeof message.id === 'string' && typeof address === 'string') messages.push({ fixture: fixture.name, wamid: message.id, type: String(message.type), address });
      }
      for (const [s, status] of (value.statuses ?? []).entries()) {
        if (typeof status.id === 'string') status.id = `wamid.peer.status.${index}.${e}.${c}.${s}`;
        if (typeof status.recipient_id === 'string') status.recipient_id = phone(status.recipient_id);
      }
    }
  }
  return { body, messages };
}
