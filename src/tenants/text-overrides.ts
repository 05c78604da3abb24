import type { Cell } from '../cell.js';
import { UserError } from '../errors.js';
import { AuditStore, currentActor } from '../storage/audit-store.js';
import { renderText, TEXT_KEYS, type TextKey, type TextOverrides } from '../texts/texts.js';
import { validateLocale, type Locale } from './settings.js';
import { TenantService } from './tenant-service.js';

function placeholders(text: string): Set<string> {
  return new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
}

/** A tenant's own wording of the customer-facing texts (greeting, holding reply, …), per locale. */
export class TextOverridesService {
  private readonly tenants: TenantService;

  constructor(private readonly cell: Cell, private readonly clock: () => number = Date.now) {
    this.tenants = new TenantService(cell);
  }

  /** Every text of a locale as customers of this tenant see it, and whether the tenant changed it. */
  list(slug: string, localeText: string): { key: TextKey; text: string; own: boolean }[] {
    const locale = validateLocale(localeText);
    const overrides = this.overrides(slug);
    return TEXT_KEYS.map((key) => ({ key, text: overrides?.[locale]?.[key] ?? renderText(locale, key, {}), own: overrides?.[locale]?.[key] !== undefined }));
  }

  /** Sets (or with `text` null, removes) the tenant's wording of one text; its placeholders must be the template's. */
  set(slug: string, localeText: string, keyText: string, text: string | null): void {
    const locale: Locale = validateLocale(localeText);
    if (!(TEXT_KEYS as readonly string[]).includes(keyText)) {
      throw new UserError(`"${keyText}" is not a customer-facing text`, `use one of: ${TEXT_KEYS.join(', ')}`);
    }
    const key = keyText as TextKey;
    if (text !== null) {
      if (!text.trim()) throw new UserError('the text is empty', 'give the wording, or use --reset to go back to the default');
      if (text.length > 1000) throw new UserError(`the text has ${text.length} characters`, 'keep customer-facing texts under 1000 characters');
      const allowed = placeholders(renderText(locale, key, {}));
      const unknown = [...placeholders(text)].filter((p) => !allowed.has(p));
      if (unknown.length > 0) {
        throw new UserError(`{${unknown.join('}, {')}} is not filled in for ${key}`, allowed.size ? `use only ${[...allowed].map((p) => `{${p}}`).join(', ')}` : 'this text takes no placeholders');
      }
    }
    const tenant = this.tenants.get(slug);
    const overrides: TextOverrides = this.overrides(slug) ?? {};
    const forLocale = { ...(overrides[locale] ?? {}) };
    if (text === null) delete forLocale[key];
    else forLocale[key] = text;
    overrides[locale] = forLocale;
    this.cell.db.transaction(() => {
      const now = this.clock();
      this.cell.db.prepare('UPDATE tenants SET texts = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(overrides), now, tenant.id);
      new AuditStore(this.cell.db).record({ at: now, actor: currentActor(), action: text === null ? 'tenant.text.reset' : 'tenant.text.set', tenantId: tenant.id, tenantSlug: slug, detail: { locale, key } });
    }).immediate();
  }

  private overrides(slug: string): TextOverrides | null {
    const row = this.cell.db.prepare('SELECT texts FROM tenants WHERE id = ?').get(this.tenants.get(slug).id) as { texts: string | null };
    return row.texts ? (JSON.parse(row.texts) as TextOverrides) : null;
  }
}
