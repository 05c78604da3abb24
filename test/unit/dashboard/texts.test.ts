import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { templatesDir } from '../../../src/paths.js';
import { LOCALES } from '../../../src/tenants/settings.js';

const read = (family: string, locale: string) => JSON.parse(readFileSync(join(templatesDir, family, `${locale}.json`), 'utf8')) as Record<string, string>;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dashboard and desk texts exist in every locale with the same placeholders', () => {
  test.each(['dashboard', 'desk'])('%s', (family) => {
    const en = read(family, 'en');
    for (const locale of LOCALES) {
      const texts = read(family, locale);
      expect(Object.keys(texts).sort(), locale).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(texts)) {
        expect(text.trim(), `${locale}.${key}`).not.toBe('');
        expect(placeholders(text), `${locale}.${key}`).toEqual(placeholders(en[key]!));
      }
    }
  });
});
