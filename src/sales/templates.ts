/** What the bot may put in a registered WhatsApp template's body parameters, by name. */
export const TEMPLATE_PARAMS = ['name', 'service', 'time', 'business'] as const;
export type TemplateParam = (typeof TEMPLATE_PARAMS)[number];
export const TEMPLATE_PURPOSES = ['reminder', 'reengagement'] as const;
export type TemplatePurpose = (typeof TEMPLATE_PURPOSES)[number];

/** A tenant's approved WhatsApp template as registered by the operator. */
export interface WhatsappTemplate {
  id: number;
  name: string;
  language: string;
  params: TemplateParam[];
  purpose: TemplatePurpose | null;
}

/** The body parameters in the template's order, filled from `values`. */
export function templateParams(template: Pick<WhatsappTemplate, 'params'>, values: Record<TemplateParam, string>): string[] {
  return template.params.map((p) => values[p]);
}
