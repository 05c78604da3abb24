/** List prices in USD per million tokens: input, cached input (prompt caching), output. */
export interface ModelPrice {
  input: number;
  cached: number;
  output: number;
}

/**
 * OpenAI list prices (USD per 1M tokens) of the models a cell is likely to run, as published on openai.com/api/pricing
 * when this table was written. BOTCTL_LLM_PRICES overrides or adds models (parsePriceOverrides), so an operator on
 * another provider or after a price change gets the right figure without a release.
 */
export const DEFAULT_PRICES: Readonly<Record<string, ModelPrice>> = {
  'gpt-4o-mini': { input: 0.15, cached: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, cached: 1.25, output: 10 },
  'gpt-4.1-mini': { input: 0.4, cached: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cached: 0.025, output: 0.4 },
  'gpt-4.1': { input: 2, cached: 0.5, output: 8 },
  'gpt-5-mini': { input: 0.25, cached: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cached: 0.005, output: 0.4 },
  'gpt-5': { input: 1.25, cached: 0.125, output: 10 },
  // Embeddings: input only.
  'text-embedding-3-small': { input: 0.02, cached: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, cached: 0.13, output: 0 },
};

/** Parses BOTCTL_LLM_PRICES (`model=input/cached/output,…`, already validated by the config schema). */
export function parsePriceOverrides(text: string | null): Record<string, ModelPrice> {
  const out: Record<string, ModelPrice> = {};
  if (!text) return out;
  for (const entry of text.split(',')) {
    const [model, figures] = entry.split('=') as [string, string];
    const [input, cached, output] = figures.split('/').map(Number) as [number, number, number];
    out[model.trim()] = { input, cached, output };
  }
  return out;
}

/** The price of a model: an override, else the table (a dated snapshot such as gpt-4o-mini-2024-07-18 takes its base model's); null when unknown. */
export function priceOf(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): ModelPrice | null {
  const table = { ...DEFAULT_PRICES, ...overrides };
  if (table[model]) return table[model]!;
  const base = Object.keys(table).filter((name) => model.startsWith(`${name}-`)).sort((a, b) => b.length - a.length)[0];
  return base ? table[base]! : null;
}
