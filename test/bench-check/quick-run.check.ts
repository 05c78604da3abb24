import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { packageRoot } from '../../src/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'botctl-bench-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every figure the capacity issue asks for, as the report names it: [scenario, words of the figure]. */
const FIGURES: [string, string][] = [
  ['Ingest', 'highest sustained rate'], ['Ingest', 'time to 200'], ['Ingest', 'fixed'], ['Ingest', 'found stored'],
  ['Ingest', 'bare baseline (node:http'], ['Ingest', 'bare baseline at fixed'], ['Ingest', '÷ bare baseline'],
  ['Pipeline', 'burst:'], ['Pipeline', 'until the queue drained'], ['Pipeline', 'peak LLM calls in flight'],
  ['Pipeline', 'event-loop lag'], ['Pipeline', 'webhook → LLM request'], ['Pipeline', 'LLM answer → Graph send'],
  ['Queue', 'cycles/s'], ['Search', 'searchKnowledge in one tenant'],
  ['Retrieval', 'prompt tokens per turn, whole knowledge'], ['Retrieval', 'prompt tokens per turn, hybrid'], ['Retrieval', 'cost of 1,000 conversations'],
  ['Retrieval', 'embedding cost of importing'], ['Retrieval', 'retrieval p99 at 2,000 chunks'], ['Memory', 'RSS idle'], ['Memory', 'after the burst'],
  ['Start', '/readyz'], ['Limits', '80 msg/s per phone number'], ['Limits', 'per 6 s to one customer'],
  ['Limits', '20 msgs/min per group'], ['Limits', '30 msgs/s overall'],
  ['Burst', 'other tenants answered'], ['Burst', 'holding reply'], ['Burst', 'every request named in the group'],
  ['Burst', 'messages into the group in any minute'], ['Burst', 'refused by the simulators'],
  ['Dashboard', 'overview of one tenant, 30 days, 100,000 messages'],
];

test('npm run bench -- --quick prints every figure with a measured value, and what it measured holds', async () => {
  const out = join(dir, 'quick.md');
  const run = await execa('npm', ['run', 'bench', '--', '--quick', '--out', out], { cwd: packageRoot, reject: false, stdin: 'ignore' });
  expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);

  const rows = readFileSync(out, 'utf8').split('\n').filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| scenario'))
    .map((l) => l.split('|').map((c) => c.trim()));
  for (const [scenario, words] of FIGURES) {
    const row = rows.find(([, s, figure]) => s === scenario && figure!.includes(words));
    expect(row, `${scenario}: ${words}`).toBeDefined();
    expect(row![3], `${scenario}: ${words} has a measured value`).toMatch(/\d/);
  }
  expect(run.stdout).toContain('| scenario | figure | measured | target |');

  const results = JSON.parse(readFileSync(out.replace(/\.md$/, '.json'), 'utf8')) as {
    errors: string[];
    ingest: { max: { ok: number; stored: number }; fixed: { ok: number; stored: number } };
    pipeline: { acked: number; unanswered: number; breaches: Record<string, number> };
    burst: { maxInvisibleMs: number | null; groupPerMinuteMax: number; refused: { telegram: number; whatsapp: number }; probeLoaded: { n: number; p95: number } };
  };
  expect(results.errors).toEqual([]);
  // Every acknowledged webhook is in the database, every accepted customer got an answer, no rate limit was broken.
  expect(results.ingest.max.stored).toBe(results.ingest.max.ok);
  expect(results.ingest.fixed.stored).toBe(results.ingest.fixed.ok);
  expect(results.pipeline.acked).toBeGreaterThan(0);
  expect(results.pipeline.unanswered).toBe(0);
  expect(results.pipeline.breaches).toEqual({ waPerNumber: 0, waPerPair: 0, tgPerGroup: 0, tgOverall: 0 });
  // A burst into one group: every request named within 2 minutes, the group's limit kept, nothing refused, others answered.
  expect(results.burst.maxInvisibleMs).not.toBeNull();
  expect(results.burst.maxInvisibleMs!).toBeLessThanOrEqual(120_000);
  expect(results.burst.groupPerMinuteMax).toBeLessThanOrEqual(20);
  expect(results.burst.refused).toEqual({ telegram: 0, whatsapp: 0 });
  expect(results.burst.probeLoaded.n).toBeGreaterThan(0);
});
