import type { LearningMode } from '../storage/learning-store.js';

export type { LearningMode };
export const LEARNING_MODES: readonly LearningMode[] = ['direct', 'approve', 'off'];

/** The person whose approval puts an entry live under `approve`: the chosen approver, else the owner (a private chat id is the user's id). */
export function approverOf(settings: { approverId: number | null }, ownerChatId: number | null): number | null {
  if (settings.approverId !== null) return settings.approverId;
  return ownerChatId !== null && ownerChatId > 0 ? ownerChatId : null;
}

/**
 * What a Save press does: under `direct` the entry goes live; under `approve` it goes live only when the approver
 * saves it, else it waits for them; under `off` nothing is learned.
 */
export function saveOutcome(mode: LearningMode, approver: number | null, userId: number | null): 'live' | 'pending' | 'off' {
  if (mode === 'off') return 'off';
  if (mode === 'direct') return 'live';
  return userId !== null && userId === approver ? 'live' : 'pending';
}

/**
 * Who may approve or reject what waits (a taught entry under `approve`, any proposal): under `approve` only the
 * approver; under `direct` any manager of the group (membership is checked by the desk); an operator always.
 */
export function mayDecide(mode: LearningMode, approver: number | null, person: { id: number | null; operator: boolean }): boolean {
  if (person.operator) return true;
  if (mode === 'off') return false;
  if (mode === 'approve') return person.id !== null && person.id === approver;
  return true;
}
