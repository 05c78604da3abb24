import { readFileSync, statSync } from 'node:fs';
import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { PromptStore, type PromptVersion } from '../storage/prompt-store.js';
import { TenantService } from '../tenants/tenant-service.js';

const MAX_PROMPT_CHARS = 20_000;

/** The tenant's instructions to the bot: set from a file, versioned, rolled back; each change audited. */
export class PromptService {
  private readonly prompts: PromptStore;
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.prompts = new PromptStore(cell.db);
    this.tenants = new TenantService(cell);
  }

  current(slug: string): PromptVersion | null {
    return this.prompts.current(this.tenants.get(slug).id);
  }

  history(slug: string): PromptVersion[] {
    return this.prompts.history(this.tenants.get(slug).id);
  }

  /** Reads a prompt file; refuses empty, binary or oversized ones with the fix. */
  readFile(path: string): string {
    let text: string;
    try {
      if (statSync(path).size > MAX_PROMPT_CHARS * 4) throw new UserError(`${path} is larger than a prompt can be`, `keep the prompt under ${MAX_PROMPT_CHARS} characters; put facts in the knowledge base (botctl kb add)`);
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(`the prompt file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'check the path');
    }
    return text;
  }

  set(slug: string, body: string, note: string | null = null): { version: number; unchanged: boolean } {
    const tenant = this.tenants.get(slug);
    const text = body.replace(/\r\n/g, '\n').trim();
    if (!text) throw new UserError('the prompt is empty', 'write the business\'s instructions to the bot in the file, e.g. tone, what to hand to managers');
    if (text.includes('\u0000')) throw new UserError('the prompt is not text', 'give a UTF-8 text or Markdown file');
    if (text.length > MAX_PROMPT_CHARS) throw new UserError(`the prompt has ${text.length} characters, more than ${MAX_PROMPT_CHARS}`, 'shorten it; put facts in the knowledge base (botctl kb add)');
    const current = this.prompts.current(tenant.id);
    if (current?.body === text) return { version: current.version, unchanged: true };
    const version = this.cell.db.transaction(() => {
      const now = this.clock();
      const v = this.prompts.add(tenant.id, text, currentActor(), note, now);
      new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'prompt.set', tenantId: tenant.id, tenantSlug: slug, detail: { version: v, chars: text.length } });
      return v;
    }).immediate();
    return { version, unchanged: false };
  }

  /** Puts an earlier version back in force (the previous one by default). */
  rollback(slug: string, to?: number): PromptVersion {
    const tenant = this.tenants.get(slug);
    const current = this.prompts.current(tenant.id);
    if (!current) throw new UserError(`tenant ${slug} has no prompt yet`, `set one with: botctl prompt set ${slug} --file prompt.md`);
    const target = to ?? current.version - 1;
    const version = this.prompts.get(tenant.id, target);
    if (!version) throw new UserError(`tenant ${slug} has no prompt version ${target}`, `see the versions with: botctl prompt history ${slug}`);
    this.cell.db.transaction(() => {
      const now = this.clock();
      this.prompts.activate(tenant.id, target, now);
      new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: 'prompt.rollback', tenantId: tenant.id, tenantSlug: slug, detail: { from: current.version, to: target } });
    }).immediate();
    return this.prompts.get(tenant.id, target)!;
  }
}
