import { z } from 'zod';

/**
 * The operator's contract (DESIGN.md, "Configuration"): every variable botctl reads, how it is validated,
 * and what to do when it is wrong. Adding a setting means adding a row here; nothing else reads process.env.
 */
export interface VariableSpec<T> {
  readonly name: string;
  readonly describe: string;
  readonly secret: boolean;
  readonly schema: z.ZodType<T>;
  /** Raw text used when the variable is not set anywhere; undefined = optional with no default. */
  readonly defaultValue?: string;
  /** What to do when the value is malformed, finishing the sentence "…: <fix>". */
  readonly fix: string;
}

const nonEmpty = z.string().trim().min(1);
const url = z.string().trim().refine((v) => {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
});
const port = z.string().trim().regex(/^\d+$/).transform(Number).refine((n) => n >= 1 && n <= 65_535);
const chatId = z.string().trim().regex(/^-?\d{1,20}$/).transform(Number).refine((n) => Number.isSafeInteger(n) && n !== 0);
const secretKey = z.string().trim().transform((v, ctx) => {
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(v) ? Buffer.from(v, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 32) {
    ctx.addIssue({ code: 'custom', message: 'not 32 bytes of base64' });
    return z.NEVER;
  }
  return bytes;
});
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const millis = z.string().trim().regex(/^\d+$/).transform(Number).refine((n) => n <= 60_000);
const replicaUrl = z.string().trim().refine((v) => /^(s3|gs|abs|sftp|file):\/\/.+/.test(v) || v.startsWith('/'));

export const VARIABLES = {
  dataDir: { name: 'BOTCTL_DATA_DIR', describe: 'folder of botctl.db', secret: false, schema: z.string().trim().refine((v) => v.startsWith('/')), defaultValue: '/var/lib/botctl', fix: 'set it to an absolute path such as /var/lib/botctl' },
  httpHost: { name: 'BOTCTL_HTTP_HOST', describe: 'HTTP listen address', secret: false, schema: nonEmpty, defaultValue: '0.0.0.0', fix: 'set it to an address such as 0.0.0.0 or 127.0.0.1' },
  httpPort: { name: 'BOTCTL_HTTP_PORT', describe: 'HTTP listen port', secret: false, schema: port, defaultValue: '8080', fix: 'set it to a port number from 1 to 65535' },
  publicUrl: { name: 'BOTCTL_PUBLIC_URL', describe: 'how the internet reaches this cell', secret: false, schema: url, fix: 'set it to the https:// address Meta and managers use to reach this cell, e.g. https://cell1.example.com' },
  secretKey: { name: 'BOTCTL_SECRET_KEY', describe: 'key that encrypts tenant secrets at rest', secret: true, schema: secretKey, fix: 'set it to 32 random bytes in base64 (botctl init writes one; or: openssl rand -base64 32), and keep the key the database was written with' },
  logLevel: { name: 'BOTCTL_LOG_LEVEL', describe: 'log level', secret: false, schema: logLevel, defaultValue: 'info', fix: 'set it to one of fatal, error, warn, info, debug, trace, silent' },
  openaiApiKey: { name: 'OPENAI_API_KEY', describe: 'LLM API key', secret: true, schema: nonEmpty, fix: "set it to your LLM provider's API key, or remove it to use the extractive fallback" },
  openaiBaseUrl: { name: 'OPENAI_BASE_URL', describe: 'OpenAI-compatible API base URL', secret: false, schema: url, defaultValue: 'https://api.openai.com/v1', fix: 'set it to the base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1' },
  llmModel: { name: 'BOTCTL_LLM_MODEL', describe: 'chat model name', secret: false, schema: nonEmpty, defaultValue: 'gpt-4o-mini', fix: 'set it to a model your provider serves, e.g. gpt-4o-mini' },
  telegramBotToken: { name: 'TELEGRAM_BOT_TOKEN', describe: "the cell's Telegram bot token", secret: true, schema: z.string().trim().regex(/^\d+:[A-Za-z0-9_-]{30,}$/), fix: 'set it to the token @BotFather gave, which looks like 123456789:AA…' },
  telegramApiRoot: { name: 'TELEGRAM_API_ROOT', describe: 'Telegram Bot API root', secret: false, schema: url, defaultValue: 'https://api.telegram.org', fix: 'set it to https://api.telegram.org or the address of your Bot API server' },
  oncallChatId: { name: 'BOTCTL_ONCALL_CHAT_ID', describe: 'Telegram chat that receives alerts', secret: false, schema: chatId, fix: 'set it to the numeric Telegram chat id of the on-call chat, e.g. -1001234567890' },
  whatsappAppSecret: { name: 'WHATSAPP_APP_SECRET', describe: 'Meta app secret (tenants may override)', secret: true, schema: nonEmpty, fix: "set it to the App Secret from the Meta app's Basic settings" },
  whatsappVerifyToken: { name: 'WHATSAPP_VERIFY_TOKEN', describe: 'webhook verify token', secret: true, schema: nonEmpty, fix: "set it to the same Verify token you typed in the Meta app's webhook settings" },
  whatsappGraphUrl: { name: 'WHATSAPP_GRAPH_URL', describe: 'Graph API base including version', secret: false, schema: url, defaultValue: 'https://graph.facebook.com/v21.0', fix: 'set it to the Graph API base with its version, e.g. https://graph.facebook.com/v21.0' },
  instagramGraphUrl: { name: 'INSTAGRAM_GRAPH_URL', describe: 'Graph API base of Instagram messaging, including version', secret: false, schema: url, defaultValue: 'https://graph.instagram.com/v21.0', fix: 'set it to the Instagram Graph API base with its version, e.g. https://graph.instagram.com/v21.0' },
  instagramAppSecret: { name: 'INSTAGRAM_APP_SECRET', describe: "app secret that signs Instagram webhooks (default: WHATSAPP_APP_SECRET)", secret: true, schema: nonEmpty, fix: "set it to the App Secret of the Meta app that receives the Instagram webhooks, or remove it to use WHATSAPP_APP_SECRET" },
  litestreamReplicaUrl: { name: 'LITESTREAM_REPLICA_URL', describe: 'where Litestream replicates', secret: false, schema: replicaUrl, fix: 'set it to an s3://bucket/path URL or an absolute local path' },
  knowledgeBudgetTokens: { name: 'BOTCTL_KNOWLEDGE_BUDGET_TOKENS', describe: "knowledge up to this many tokens goes whole into every prompt (a tenant may override)", secret: false, schema: z.string().trim().regex(/^\d+$/).transform(Number).refine((n) => n <= 1_000_000), defaultValue: '16000', fix: 'set it to a number of tokens from 0 (always retrieve) to 1000000, e.g. 16000' },
  embeddingModel: { name: 'BOTCTL_EMBEDDING_MODEL', describe: 'embeddings model for retrieval by meaning', secret: false, schema: nonEmpty, defaultValue: 'text-embedding-3-small', fix: 'set it to an embeddings model your provider serves, e.g. text-embedding-3-small' },
  embeddingBaseUrl: { name: 'BOTCTL_EMBEDDING_BASE_URL', describe: "OpenAI-compatible embeddings API base URL (default: the LLM's)", secret: false, schema: url, fix: 'set it to the base URL of an OpenAI-compatible API that serves /embeddings, or remove it to use OPENAI_BASE_URL' },
  embeddingApiKey: { name: 'BOTCTL_EMBEDDING_API_KEY', describe: "embeddings API key (default: the LLM's)", secret: true, schema: nonEmpty, fix: "set it to the embeddings provider's API key, or remove it to use OPENAI_API_KEY" },
  embeddingTimeoutMs: { name: 'BOTCTL_EMBEDDING_TIMEOUT_MS', describe: "how long a turn waits for the question's embedding before it answers from words alone (ms)", secret: false, schema: millis, defaultValue: '1500', fix: 'set it to a number of milliseconds from 0 to 60000, e.g. 1500' },
  llmPrices: { name: 'BOTCTL_LLM_PRICES', describe: 'USD per million tokens, overriding the built-in price table: model=input/cached/output,…', secret: false, schema: z.string().trim().regex(/^[\w.:-]+=\d+(\.\d+)?\/\d+(\.\d+)?\/\d+(\.\d+)?(,[\w.:-]+=\d+(\.\d+)?\/\d+(\.\d+)?\/\d+(\.\d+)?)*$/), fix: 'write it as model=input/cached/output in USD per million tokens, comma-separated, e.g. gpt-4o-mini=0.15/0.075/0.6' },
  debounceMs: { name: 'BOTCTL_DEBOUNCE_MS', describe: "wait for a customer's follow-up messages (ms)", secret: false, schema: millis, defaultValue: '2500', fix: 'set it to a number of milliseconds from 0 to 60000, e.g. 2500' },
} as const satisfies Record<string, VariableSpec<unknown>>;

export type VariableKey = keyof typeof VARIABLES;
export const VARIABLE_NAMES: ReadonlySet<string> = new Set(Object.values(VARIABLES).map((v) => v.name));
