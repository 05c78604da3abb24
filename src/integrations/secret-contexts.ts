/** Associated data of integration secrets (src/security/secret-box.ts): a sealed value only opens where it belongs. */
export const INTEGRATION_SECRET = {
  webhook: (slug: string, endpointId: number) => `tenant:${slug}:webhook.${endpointId}.secret`,
  crm: (slug: string, provider: string) => `tenant:${slug}:${provider}.credential`,
} as const;
