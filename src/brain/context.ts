import type { Locale } from '../tenants/settings.js';

/** A knowledge snippet retrieved for a question. */
export interface Snippet {
  sourceName: string;
  heading: string | null;
  text: string;
}

/** One earlier line of the conversation, oldest first. */
export interface HistoryLine {
  author: 'customer' | 'bot' | 'manager';
  text: string;
}

/** Everything the brain may use to answer one turn: all of it belongs to one tenant and one contact. */
export interface TurnContext {
  business: string;
  tenantLocale: Locale;
  tenantPrompt: string;
  /** What the customer wrote since the bot last answered (coalesced), oldest first. */
  newMessages: string[];
  history: HistoryLine[];
  snippets: Snippet[];
  /** The contact's long-term memory (metadata.summary). */
  memory: string | null;
  /** The language to answer in. */
  language: Locale;
  /** An exact FAQ answer for the extractive fallback, when the knowledge base has one. */
  faqAnswer: string | null;
}
