/**
 * Who owns a conversation, and the only transitions allowed (DESIGN.md, "Who owns a conversation"):
 *
 *   bot ──escalate──▶ waiting ──take──▶ human
 *    ▲                  │ ◀──release─────┘ │ (reassign: human → human)
 *    └─────resolve──────┴──────resolve─────┘
 *
 * Every change of ownership goes through `nextState`; storage records who, when and why.
 */
export type OwnerState = 'bot' | 'waiting' | 'human';
export type OwnershipEvent = 'escalate' | 'take' | 'release' | 'reassign' | 'resolve';

const TRANSITIONS: Record<OwnerState, Partial<Record<OwnershipEvent, OwnerState>>> = {
  bot: { escalate: 'waiting' },
  waiting: { take: 'human', resolve: 'bot' },
  human: { release: 'waiting', reassign: 'human', resolve: 'bot' },
};

export class OwnershipError extends Error {
  constructor(readonly from: OwnerState, readonly event: OwnershipEvent) {
    super(`a conversation owned by "${from}" cannot ${event}`);
    this.name = 'OwnershipError';
  }
}

export function nextState(from: OwnerState, event: OwnershipEvent): OwnerState {
  const to = TRANSITIONS[from][event];
  if (!to) throw new OwnershipError(from, event);
  return to;
}

/** The handover status that mirrors an ownership state. */
export function handoverStatusOf(state: OwnerState): 'waiting' | 'taken' | 'resolved' {
  return state === 'waiting' ? 'waiting' : state === 'human' ? 'taken' : 'resolved';
}
