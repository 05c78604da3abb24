import { JOB } from '../conversation/job-kinds.js';

/**
 * Job kinds of learning. Payloads hold ids only; handlers read the rows. Registered in one place:
 * the worker's job table (src/worker/job-table.ts).
 */
export const LEARNING_JOB = {
  draft: 'learning.draft', // { itemId }: the model drafts a taught entry, the facts check decides
  show: 'learning.show', // { itemId }: post or redraw a taught item's message in the managers group
  propose: JOB.learningPropose, // { handoverId }: after resolve, the model proposes entries from the conversation
  digest: 'learning.digest', // { tenantId }: the day's proposals in one message in the managers group
  redrawDigest: 'learning.redraw_digest', // { tenantId, digestId }: after a decision from Telegram or the CLI
} as const;

export const digestKey = (tenantId: number) => `learning-digest:${tenantId}`;
