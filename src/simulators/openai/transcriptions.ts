import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, sleep, stillOpen } from '../local-http/http.js';
import { parseMultipart, type MultipartPart } from '../local-http/multipart.js';
import { requestId, sendBadRequest, sendError } from './errors.js';
import type { TranscriptionRequest, TranscriptionStep } from './types.js';

export interface TranscriptionContext {
  transcriptions: TranscriptionRequest[];
  nextTranscription(): TranscriptionStep;
  extraDelayMs(): number;
}

// The real endpoint caps uploads at 25 MB and picks the decoder by file extension.
const MAX_UPLOAD = 25 * 1024 * 1024;
const FORMATS = ['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm'];

/** `POST /v1/audio/transcriptions` (multipart/form-data: file, model, language?, prompt?, response_format?). */
export async function handleTranscription(ctx: TranscriptionContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const contentType = req.headers['content-type'] ?? '';
  if (!contentType.toLowerCase().startsWith('multipart/form-data')) {
    sendBadRequest(res, `Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data.`);
    return;
  }
  const parts = parseMultipart(await readBody(req, MAX_UPLOAD + 64 * 1024), contentType);
  const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
  const field = (name: string): string | undefined => text(parts.find((p) => p.name === name));
  const model = field('model');
  if (!file) {
    sendBadRequest(res, "Missing required parameter: 'file'.", 'file', 'missing_required_parameter');
    return;
  }
  if (!model) {
    sendBadRequest(res, 'you must provide a model parameter');
    return;
  }
  const extension = (file.filename ?? '').split('.').pop()?.toLowerCase() ?? '';
  if (!FORMATS.includes(extension)) {
    sendBadRequest(res, `Invalid file format. Supported formats: ${JSON.stringify(FORMATS)}`, 'file', 'invalid_value');
    return;
  }
  const responseFormat = field('response_format') ?? 'json';
  const record: TranscriptionRequest = {
    model,
    fileName: file.filename ?? '',
    mimeType: file.contentType ?? 'application/octet-stream',
    size: file.data.length,
    responseFormat,
    receivedAt: new Date(),
  };
  const language = field('language');
  if (language !== undefined) record.language = language;
  const prompt = field('prompt');
  if (prompt !== undefined) record.prompt = prompt;
  ctx.transcriptions.push(record);

  const step = ctx.nextTranscription();
  const delay = ctx.extraDelayMs();
  if (delay > 0) await sleep(delay);
  if (!stillOpen(res)) return;
  if (typeof step !== 'string') {
    sendError(res, step);
    return;
  }
  sendTranscript(res, step, responseFormat, language);
}

function text(part: MultipartPart | undefined): string | undefined {
  return part ? part.data.toString('utf8') : undefined;
}

function sendTranscript(res: ServerResponse, transcript: string, format: string, language: string | undefined): void {
  const headers = { 'x-request-id': requestId() };
  const seconds = Math.max(1, Math.round(transcript.length / 15)); // about 15 characters of speech per second
  switch (format) {
    case 'text':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(`${transcript}\n`);
      return;
    case 'srt':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers })
        .end(`1\n00:00:00,000 --> ${clock(seconds, ',')}\n${transcript}\n\n`);
      return;
    case 'vtt':
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers })
        .end(`WEBVTT\n\n00:00:00.000 --> ${clock(seconds, '.')}\n${transcript}\n\n`);
      return;
    case 'verbose_json':
      sendJson(res, 200, {
        task: 'transcribe', language: language ?? 'english', duration: seconds, text: transcript,
        segments: [{ id: 0, seek: 0, start: 0, end: seconds, text: transcript, tokens: [], temperature: 0, avg_logprob: 0, compression_ratio: 1, no_speech_prob: 0 }],
        usage: { type: 'duration', seconds },
      }, headers);
      return;
    default:
      sendJson(res, 200, { text: transcript, usage: { type: 'duration', seconds } }, headers);
  }
}

/** `hh:mm:ss,000` (SRT) or `hh:mm:ss.000` (WebVTT). */
function clock(totalSeconds: number, separator: string): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  return `${pad(h)}:${pad(m)}:${pad(totalSeconds % 60)}${separator}000`;
}
