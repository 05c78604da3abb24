import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { writePrivateFile } from '../../../../src/tenants/transfer/write-private-file.js';

describe('writing an export file', () => {
  test('is readable by its owner only, whatever the umask, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'botctl-private-'));
    const path = join(dir, 'smile.jsonl');
    const umask = process.umask(0);
    try {
      writePrivateFile(path, Buffer.from('{"type":"header"}\n'), { replace: false });
    } finally {
      process.umask(umask);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toBe('{"type":"header"}\n');
    expect(readdirSync(dir)).toEqual(['smile.jsonl']);
  });

  test('never overwrites a file unless asked, and then replaces it whole', () => {
    const dir = mkdtempSync(join(tmpdir(), 'botctl-private-'));
    const path = join(dir, 'smile.jsonl');
    writeFileSync(path, 'older export', { mode: 0o644 });
    expect(() => writePrivateFile(path, Buffer.from('new'), { replace: false })).toThrow(expect.objectContaining({
      message: `${path} already exists`, hint: 'give --out another file name, or add --force to replace it',
    }));
    expect(readFileSync(path, 'utf8')).toBe('older export');
    writePrivateFile(path, Buffer.from('new'), { replace: true });
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writePrivateFile(join(dir, 'missing', 'x.jsonl'), Buffer.from('x'), { replace: false })).toThrow(/the folder .*missing does not exist/);
  });
});
