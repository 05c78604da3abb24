/**
 * Keeps secrets and full phone numbers out of log lines. Two layers:
 * 1. structured: fields named like secrets are replaced, fields holding phone numbers are masked (pino redact);
 * 2. textual: every serialised line is scrubbed of registered secret values (the cell's own keys and tokens)
 *    and of strings shaped like API tokens, so a secret inside an error message is caught too.
 */

const SECRET_FIELDS = [
  'token', 'accessToken', 'access_token', 'whatsappToken', 'whatsapp_token', 'appSecret', 'app_secret', 'whatsappAppSecret',
  'secret', 'secretKey', 'secret_key', 'apiKey', 'api_key', 'password', 'authorization', 'Authorization', 'botToken',
];
const PHONE_FIELD_NAMES = ['phone', 'waId', 'wa_id', 'from', 'to', 'recipient_id', 'recipientId', 'display_phone_number'];

/** pino `redact.paths`: each field at the top level, one level down, and in request/response headers. */
export const SECRET_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'headers.authorization', 'req.headers.authorization', 'req.headers["x-hub-signature-256"]',
];
export const PHONE_FIELDS: ReadonlySet<string> = new Set(PHONE_FIELD_NAMES);
export const PHONE_PATHS = [...PHONE_FIELD_NAMES, ...PHONE_FIELD_NAMES.map((f) => `*.${f}`)];

/** Shows a phone number's country prefix and last two digits only: 77011234567 → 770*******67. */
export function maskPhone(value: unknown): unknown {
  if (typeof value !== 'string' && typeof value !== 'number') return value;
  const text = String(value);
  const digits = text.replace(/\D/g, '');
  if (digits.length < 7) return text;
  return `${text.startsWith('+') ? '+' : ''}${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}

const TOKEN_PATTERNS: RegExp[] = [
  /(?<!\d)\d{6,12}:[A-Za-z0-9_-]{30,}/g, // Telegram bot token, also inside /bot<token>/ URLs
  /\bEAA[A-Za-z0-9]{20,}\b/g, // Meta access token
  /\bsk-[A-Za-z0-9_-]{16,}\b/g, // OpenAI-style API key
  /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, // any bearer credential
  /\+\d{10,15}\b/g, // international phone number in free text
];

const registered = new Set<string>();
let registeredPattern: RegExp | null = null;
const tenantSecrets = new Set<string>();
const TOKEN_LIKE = /[A-Za-z0-9_\-+/=]{12,}/g;

/** Registers a secret of the cell (its key, API keys: a handful) that must never appear in a log line, anywhere in it. */
export function registerSecret(value: string | null | undefined): void {
  if (!value || value.length < 6 || registered.has(value)) return;
  registered.add(value);
  registeredPattern = new RegExp([...registered].map(escapeRegExp).join('|'), 'g');
}

/**
 * Registers a tenant's secret (a token or app secret: up to tens of thousands per cell). Matched as a whole word of
 * a line through a set lookup, so scrubbing costs the same however many tenants a cell has; tokens inside URLs
 * and bearer headers are also caught by the shape patterns below.
 */
export function registerTenantSecret(value: string | null | undefined): void {
  if (value && value.length >= 12) tenantSecrets.add(value);
}

export function scrubText(line: string): string {
  let out = line;
  if (registeredPattern) out = out.replace(registeredPattern, '[REDACTED]');
  if (tenantSecrets.size > 0) out = out.replace(TOKEN_LIKE, scrubWord);
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (match: string, bearer?: string) => {
      if (match.startsWith('+')) return String(maskPhone(match));
      return typeof bearer === 'string' && /^Bearer/i.test(bearer) ? `${bearer}[REDACTED]` : '[REDACTED]';
    });
  }
  return out;
}

/** A token-like word that is, or holds between `=`, `/` or `+` (a URL's `token=…`, a path), a tenant secret. */
function scrubWord(word: string): string {
  if (tenantSecrets.has(word)) return '[REDACTED]';
  if (!/[=/+]/.test(word)) return word;
  return word.split(/([=/+])/).map((part) => (tenantSecrets.has(part) ? '[REDACTED]' : part)).join('');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
