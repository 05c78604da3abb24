import type { Offer } from '../sales/offers.js';
import type { Service } from '../sales/services.js';
import type { Locale } from '../tenants/settings.js';

/** A knowledge snippet retrieved for a question. */
export interface Snippet {
  sourceName: string;
  heading: string | null;
  text: string;
  /** The chunk's id, when it came from the knowledge base. */
  chunkId?: number;
  /** Its retrieval score (BM25, or reciprocal rank fusion in hybrid mode); absent in whole mode. */
  score?: number;
}

/**
 * How a turn's knowledge was chosen: the whole knowledge (it fits the budget), hybrid retrieval (words and meaning
 * fused), words alone because no embeddings are configured (lexical), or words alone because the embeddings API
 * failed this turn (lexical_fallback).
 */
export type RetrievalMode = 'whole' | 'hybrid' | 'lexical' | 'lexical_fallback';

/** What the knowledge base gave one turn. */
export interface Retrieval {
  mode: RetrievalMode;
  /** What goes into the prompt, in prompt order. */
  snippets: Snippet[];
  /** Section titles of the whole knowledge (hybrid and lexical modes), so the model knows what exists. */
  toc: string[];
  /** How many of the tenant's chunks the question's words matched (the extractive path's relevance check). */
  lexicalHits: number;
  /** The tenant's whole knowledge in tokens, and the budget it was compared with. */
  knowledgeTokens: number;
  budgetTokens: number;
  /** Why a fallback happened (the embeddings API failed, timed out, rate-limited), for the trace. */
  fallback: string | null;
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
  /** Section titles of the knowledge not given whole (empty in whole mode). */
  toc: string[];
  /** How many chunks the question's words matched: without an LLM, zero means the knowledge has nothing on it. */
  lexicalHits: number;
  /** The contact's long-term memory (metadata.summary). */
  memory: string | null;
  /** The language to answer in. */
  language: Locale;
  /** When the turn began (before retrieval): the brain's deadline counts from here, so waiting for embeddings is inside it. */
  startedAt?: number;
  /** An exact FAQ answer for the extractive fallback, when the knowledge base has one. */
  faqAnswer: string | null;
  /** What the tenant's customers can book; with none, the model is not offered the booking tool. */
  services?: readonly Service[];
  /** This customer's booking requests and their states, one line each ("when is my appointment?"). */
  bookings?: readonly string[];
  /** The tenant's time zone and its local time now (`YYYY-MM-DD HH:MM`), so the model can resolve "tomorrow at 15:00". */
  timezone?: string;
  localNow?: string;
  /** Days since the customer last wrote, when they return after a long while with a memory (greet them as known). */
  returningAfterDays?: number;
  /** Offers the bot may propose this turn (none already made in this conversation, none to a complaining customer). */
  offers?: readonly Offer[];
  /** Every offer of the tenant: their texts are knowledge, and quoting one not in `offers` is vetoed. */
  allOffers?: readonly Offer[];
}
