import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../paths.js';
import { payloadJsonSchema } from './payloads.js';

/** Where the generated JSON Schema of webhook payloads lives. */
export const PAYLOAD_SCHEMA_FILE = join(packageRoot, 'docs', 'integrations', 'webhook-payloads.schema.json');

export function payloadSchemaText(): string {
  return `${JSON.stringify(payloadJsonSchema(), null, 2)}\n`;
}

// `npm run schemas` regenerates the file after a change to payloads.ts.
if (process.argv[1]?.endsWith('write-schemas.js')) writeFileSync(PAYLOAD_SCHEMA_FILE, payloadSchemaText());
