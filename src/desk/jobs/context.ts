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
  /** Whether a tenant's cards offer "Teach the bot" (learning not off); absent = never. */
  teachable?: (tenantId: number) => boolean;
  /** Re-engagement after 131047 (src/sales/reengagement.ts): whether the tenant can, and a refused message's state. */
  reengagement?: { canReengage(tenantId: number): boolean; isHeld(tenantId: number, messageId: number): 'no' | 'held' | 'released' };
}

export const TRANSCRIPT_LINES = 20;
