import type { CallbackBook } from '../callbacks.js';
import type { Params } from '../params.js';
import type { SendLog } from '../rate.js';
import type { UpdateQueue } from '../updates.js';
import type { World } from '../world.js';

/** What a Bot API method implementation works with. */
export interface MethodContext {
  world: World;
  updates: UpdateQueue;
  sendLog: SendLog;
  callbacks: CallbackBook;
  /** Aborts when the caller hangs up (ends a long poll early). */
  closed: AbortSignal;
}

/** A result with the `description` Telegram adds to some successes ("Webhook was set"). */
export class Described {
  constructor(readonly result: unknown, readonly description: string) {}
}

export type MethodHandler = (ctx: MethodContext, params: Params) => unknown;
