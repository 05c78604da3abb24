import type { Logger } from '../observability/logger.js';
import type { TextKey } from '../texts/texts.js';
import type { CustomerChannelPort, StoredInbound, TurnTenant } from './ports.js';
import type { LlmPort } from '../brain/llm.js';

export interface ReadResult {
  /** What the bot reads, in order. */
  texts: string[];
  /** A reason to call a manager instead of answering (e.g. a photo without a caption), or null. */
  needsManager: string | null;
  /** A fixed reply when there is nothing to read but something to say (a voice note it cannot hear). */
  replyKey: TextKey | null;
  notes: Record<string, unknown>[];
}

const TRANSCRIBE_TIMEOUT_MS = 30_000;
const MEDIA_NAMES = { image: 'a photo', video: 'a video', document: 'a document' } as const;

/**
 * Turns the pending messages into what the brain reads: text, captions, button titles, described locations and
 * contacts and orders, the new text of an edit; voice notes transcribed when the tenant enabled it. Reactions,
 * stickers, deletions and system notices alone say nothing (handle-inbound greets a first-contact sticker).
 */
export async function readMessages(
  messages: StoredInbound[],
  tenant: TurnTenant,
  deps: { channel: CustomerChannelPort; llm: LlmPort | null },
  signal: AbortSignal,
  logger: Logger,
): Promise<ReadResult> {
  const result: ReadResult = { texts: [], needsManager: null, replyKey: null, notes: [] };
  for (const message of messages) {
    switch (message.kind) {
      case 'reaction':
      case 'sticker':
      case 'revoke':
      case 'system':
      case 'start': // the customer opened the chat: handle-inbound greets them
        result.notes.push({ message: message.id, kind: message.kind, read: 'ignored' });
        break;
      case 'voice':
      case 'audio': {
        const transcript = tenant.voiceTranscription && deps.llm && message.media
          ? await transcribe(message, tenant, deps, signal, logger)
          : null;
        if (transcript) {
          result.texts.push(transcript);
          result.notes.push({ message: message.id, kind: message.kind, read: 'transcribed', chars: transcript.length });
        } else {
          result.replyKey ??= 'ask_to_write';
          result.notes.push({ message: message.id, kind: message.kind, read: tenant.voiceTranscription ? 'transcription failed' : 'transcription off' });
        }
        break;
      }
      case 'image':
      case 'video':
      case 'document':
        if (message.body) result.texts.push(message.body);
        else result.needsManager ??= `the customer sent ${MEDIA_NAMES[message.kind]} without text`;
        result.notes.push({ message: message.id, kind: message.kind, read: message.body ? 'caption' : 'needs a manager' });
        break;
      case 'unsupported':
        result.replyKey ??= 'unsupported';
        result.notes.push({ message: message.id, kind: message.kind, read: 'unsupported' });
        break;
      default:
        if (message.body?.trim()) result.texts.push(message.body.trim());
        result.notes.push({ message: message.id, kind: message.kind, read: 'text' });
    }
  }
  return result;
}

async function transcribe(message: StoredInbound, tenant: TurnTenant, deps: { channel: CustomerChannelPort; llm: LlmPort | null }, signal: AbortSignal, logger: Logger): Promise<string | null> {
  try {
    const media = await deps.channel.fetchMedia(tenant.channelAccountId, message.media!.id, signal);
    const text = await deps.llm!.transcribe(media.bytes, media.mimeType, { signal, timeoutMs: TRANSCRIBE_TIMEOUT_MS });
    return text.trim() || null;
  } catch (err) {
    if (signal.aborted) throw err;
    logger.warn({ err, message: message.id }, 'voice note could not be transcribed; asking the customer to write');
    return null;
  }
}
