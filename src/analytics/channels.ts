import { UserError } from '../errors.js';
import type { ChannelKind } from '../storage/channel-account-store.js';

/** A customer channel, as the numbers split by it. */
export type Channel = ChannelKind;

/** Every channel, in the order the numbers show them. */
export const CHANNELS: readonly Channel[] = ['whatsapp', 'instagram', 'telegram'];

export function isChannel(value: string | undefined): value is Channel {
  return value !== undefined && (CHANNELS as readonly string[]).includes(value);
}

/**
 * The channel a person asked the numbers to be limited to: none (undefined or empty) is every channel, null. A value
 * that is not a channel throws a UserError naming the allowed ones.
 */
export function parseChannel(value: string | undefined): Channel | null {
  if (value === undefined || value === '') return null;
  const asked = value.trim().toLowerCase();
  if (isChannel(asked)) return asked;
  throw new UserError(`"${value}" is not a channel`, `use one of ${CHANNELS.join(', ')}, or leave it out for all channels`);
}

/** `channels` in the order of CHANNELS, each once. */
export function inChannelOrder(channels: Iterable<Channel>): Channel[] {
  const set = new Set(channels);
  return CHANNELS.filter((c) => set.has(c));
}
