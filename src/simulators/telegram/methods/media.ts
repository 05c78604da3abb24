import type { File } from 'grammy/types';
import { badRequest } from '../errors.js';
import { readReplyMarkup } from '../markup.js';
import type { InputFileArg, Params } from '../params.js';
import { mimeFor, type StoredFile, type World } from '../world.js';
import { formatText, MAX_CAPTION, sendTarget } from './compose.js';
import type { MethodContext, MethodHandler } from './context.js';

// Bots may download files up to 20 MB through getFile.
const MAX_DOWNLOAD = 20 * 1024 * 1024;

export const sendPhoto: MethodHandler = (ctx, params) => sendMedia(ctx, params, 'photo');
export const sendDocument: MethodHandler = (ctx, params) => sendMedia(ctx, params, 'document');

async function sendMedia(ctx: MethodContext, params: Params, kind: 'photo' | 'document'): Promise<unknown> {
  const { world, sendLog } = ctx;
  const target = sendTarget(world, params);
  sendLog.admit(target.chat.id);
  const arg = params.inputFile(kind);
  if (!arg) throw badRequest(`there is no ${kind} in the request`);
  const rawCaption = params.string('caption');
  const caption = rawCaption !== undefined ? formatText(params, rawCaption, 'caption_entities') : undefined;
  if (caption && caption.text.length > MAX_CAPTION) throw badRequest('message caption is too long');
  const replyMarkup = readReplyMarkup(params);
  const file = await resolveFile(world, arg, kind);
  const parseMode = params.string('parse_mode');
  const message = world.addMessage(target.chat, {
    from: world.bot, sentByBot: true, ...target.thread,
    ...(kind === 'photo' ? { photo: world.photoSizes(file) } : { document: world.documentOf(file) }),
    ...(caption && caption.text !== '' ? { caption: caption.text, caption_entities: caption.entities } : {}),
    ...(rawCaption !== undefined ? { source: { text: rawCaption, ...(parseMode ? { parseMode } : {}) } } : {}),
    ...(replyMarkup ? { reply_markup: replyMarkup } : {}),
    ...(target.replyTo ? { replyToMessageId: target.replyTo.message_id } : {}),
  });
  sendLog.record(target.chat.id, kind === 'photo' ? 'sendPhoto' : 'sendDocument');
  return world.wire(message);
}

/** An upload is stored; a file_id must be one Telegram issued; a URL is fetched, as Telegram does. */
async function resolveFile(world: World, arg: InputFileArg, kind: 'photo' | 'document'): Promise<StoredFile> {
  if (arg.kind === 'file_id') {
    const file = world.files.get(arg.fileId);
    if (!file) throw badRequest('wrong file identifier/HTTP URL specified');
    return file;
  }
  if (arg.kind === 'upload') {
    return world.storeFile(arg.data, kind, kind === 'photo' ? 'image/jpeg' : mimeFor(arg.filename), arg.filename);
  }
  let data: Buffer;
  let contentType: string | null;
  try {
    const res = await fetch(arg.url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    data = Buffer.from(await res.arrayBuffer());
    contentType = res.headers.get('content-type');
  } catch {
    throw badRequest('failed to get HTTP URL content');
  }
  const name = decodeURIComponent(new URL(arg.url).pathname.split('/').pop() ?? '') || undefined;
  return world.storeFile(data, kind, kind === 'photo' ? 'image/jpeg' : contentType?.split(';')[0] ?? mimeFor(name), name);
}

export const getFile: MethodHandler = ({ world }, params) => {
  const file = world.files.get(params.requiredString('file_id'));
  if (!file) throw badRequest('invalid file_id');
  if (file.data.length > MAX_DOWNLOAD) throw badRequest('file is too big');
  const result: File = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.data.length, file_path: file.file_path };
  return result;
};
