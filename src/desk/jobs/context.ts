import type { CustomerChannelPort, JobEnqueuer, Tracer } from '../../conversation/ports.js';
import type { DeskDigestStore } from '../../storage/desk-digest-store.js';
import type { DeskStore } from '../../storage/desk-store.js';
import type { DeskGateway } from '../telegram/gateway.js';

/** What every desk job needs. */
export interface DeskJobContext {
  store: DeskStore;
  digest: DeskDigestStore;
  gateway: DeskGateway;
  queue: JobEnqueuer;
  channel: CustomerChannelPort;
  tracer: Tracer;
  clock: () => number;
}

export const TRANSCRIPT_LINES = 20;
