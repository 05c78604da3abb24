import { Brain, type BrainPolicy, type Decision } from '../brain/brain.js';
import type { HistoryLine, Retrieval, TurnContext } from '../brain/context.js';
import { assembleMessages } from '../brain/prompt-assembly.js';
import { detectLanguage } from '../brain/language.js';
import type { ChatMessage, LlmPort } from '../brain/llm.js';
import type { Locale } from '../tenants/settings.js';
import { renderText, type TextOverrides } from '../texts/texts.js';
import { buildContext } from './build-context.js';
import type { KnowledgePort } from './ports.js';

export interface SessionTenant {
  id: number;
  name: string;
  locale: Locale;
  prompt: string;
  texts?: TextOverrides | null;
}

export interface TurnOutcome {
  decision: Decision;
  language: Locale;
  /** What the customer would receive: the answer, or the holding reply of a handover. */
  customerSees: string;
  snippets: string[];
  retrieval: Retrieval;
  /** The request the model got (or would have got, without an LLM). */
  messages: ChatMessage[];
  promptTokens: number;
}

export interface PreparedTurn {
  context: TurnContext;
  retrieval: Retrieval;
  language: Locale;
  messages: ChatMessage[];
  promptTokens: number;
}

/**
 * A conversation with a tenant's bot outside WhatsApp (`botctl chat`, `botctl eval`): the same context, brain and
 * guardrails as the worker, with history kept in memory and nothing written to the database.
 */
export class ChatSession {
  private readonly history: HistoryLine[] = [];
  private handedOver = false;

  constructor(
    private readonly tenant: SessionTenant,
    private readonly deps: { knowledge: KnowledgePort; llm: LlmPort | null; policy?: BrainPolicy },
  ) {}

  /** The turn's context and request as the model would get them, without calling it (`botctl eval --retrieval`). */
  async prepare(text: string, signal: AbortSignal = new AbortController().signal): Promise<PreparedTurn> {
    const language = detectLanguage(text) ?? this.tenant.locale;
    const { context, retrieval } = await buildContext({ tenant: this.tenant, knowledge: this.deps.knowledge, texts: [text], history: this.history, memory: null, language, signal });
    return { context, retrieval, language, messages: assembleMessages(context), promptTokens: this.deps.knowledge.promptTokens(context) };
  }

  async say(text: string, signal: AbortSignal = new AbortController().signal): Promise<TurnOutcome> {
    const { context, retrieval, language, messages, promptTokens } = await this.prepare(text, signal);
    const decision = await new Brain(this.deps.llm, this.deps.policy).decide(context, signal);
    const customerSees = decision.kind === 'reply'
      ? decision.text
      : renderText(language, decision.kind === 'escalate' && (decision.cause === 'llm_unavailable' || decision.cause === 'no_llm') ? 'holding_reply_unavailable' : 'holding_reply', { business: this.tenant.name }, this.tenant.texts ?? null);
    this.history.push({ author: 'customer', text }, { author: 'bot', text: customerSees });
    if (decision.kind === 'escalate') this.handedOver = true;
    return { decision, language, customerSees, snippets: context.snippets.map((s) => `${s.sourceName}${s.heading ? ` › ${s.heading}` : ''}`), retrieval, messages, promptTokens };
  }

  /** Records a customer's turn without a reply (`botctl eval --retrieval` never calls the model). */
  remember(text: string): void {
    this.history.push({ author: 'customer', text });
  }

  /** In WhatsApp a handover would now route the customer to managers; a session keeps talking to the bot. */
  get escalatedOnce(): boolean {
    return this.handedOver;
  }
}
