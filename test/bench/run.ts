/**
 * `npm run bench -- [--quick] [--only search,retrieval,start,ingest,pipeline,burst,queue,dashboard] [--keep] [--profile] [--out FILE]`
 *
 * Seeds one cell under the OS temp folder (10,000 tenants and a million messages; 600 and 60,000 with --quick), runs
 * every scenario on it in turn, and prints one Markdown report: the machine, the cell, each figure next to its
 * target with ✓/✗. --out writes the report to a file as well, with the raw figures beside it as JSON.
 *
 * For investigating: --keep keeps the run folder (seeded database, worker logs, load results); --profile runs the
 * workers under --cpu-prof (profiles in the kept run folder); --node-flags "…" adds node flags to the workers (e.g.
 * "--max-old-space-size=128"); --cell DIR reuses the cell of a kept run instead of seeding (its data has grown by
 * what that run's scenarios added, so figures are for investigation, not for BENCHMARKS.md).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCell, existingCell } from './cell.js';
import type { BenchContext } from './context.js';
import { describeMachine, uptime } from './machine.js';
import { renderReport, type Results } from './report.js';
import { FULL, QUICK } from './scales.js';
import { dashboardScenario } from './scenario-dashboard.js';
import { ingestScenario } from './scenario-ingest.js';
import { pipelineScenario } from './scenario-pipeline.js';
import { burstScenario } from './scenario-burst.js';
import { queueScenario } from './scenario-queue.js';
import { retrievalScenario } from './scenario-retrieval.js';
import { searchScenario } from './scenario-search.js';
import { startScenario } from './scenario-start.js';
import { loadSeeded, seedCell, type SeededTenant } from './seed.js';

const SCENARIOS = ['search', 'retrieval', 'start', 'ingest', 'pipeline', 'burst', 'queue', 'dashboard'] as const;
type Scenario = (typeof SCENARIOS)[number];

function parseArgs(argv: string[]) {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = value('--only')?.split(',') ?? [...SCENARIOS];
  const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`);
  return {
    quick: argv.includes('--quick'), keep: argv.includes('--keep') || argv.includes('--profile'), profile: argv.includes('--profile'),
    only: new Set(only as Scenario[]), out: value('--out'), cell: value('--cell'), nodeFlags: value('--node-flags')?.split(' ').filter(Boolean) ?? [],
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const scale = args.quick ? QUICK : FULL;
  const began = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), `botctl-bench-${scale.name}-`));
  const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);
  log(`run folder ${workDir}`);
  const results: Results = {
    scale: scale.name, startedAt: new Date(began).toISOString(), command: `npm run bench --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`,
    machine: describeMachine(workDir), errors: [],
  };
  log(`machine: ${results.machine.cpu}, ${results.machine.cores} cores; ${results.machine.uptime}`);
  try {
    const cell = args.cell ? existingCell(args.cell) : createCell(join(workDir, 'cell'));
    const profiles = join(workDir, 'profiles');
    if (args.profile) mkdirSync(profiles, { recursive: true });
    let tenants: SeededTenant[];
    if (args.cell) {
      tenants = loadSeeded(cell);
      log(`reusing the cell in ${args.cell}: ${tenants.length} tenants`);
    } else {
      log(`seeding ${scale.seed.tenants} tenants, ${scale.seed.messages} messages`);
      const seeded = seedCell(cell, scale.seed, log);
      results.seed = { ...seeded, tenantsCount: seeded.tenants.length };
      tenants = seeded.tenants;
      log(`seeded in ${seeded.seconds.toFixed(0)} s (${(seeded.fileBytes / 2 ** 20).toFixed(0)} MB)`);
    }
    const ctx: BenchContext = {
      cell, tenants, scale, workDir, log,
      workerNodeFlags: [...args.nodeFlags, ...(args.profile ? ['--cpu-prof', '--cpu-prof-dir', profiles] : [])],
    };
    // Read-only and cold-start scenarios first, then those that add rows; the queue's rows are removed at its end.
    const run = async <T>(name: Scenario, fn: () => T | Promise<T>, keep: (value: T) => void) => {
      if (!args.only.has(name)) return;
      log(`— ${name}`);
      try {
        keep(await fn());
      } catch (err) {
        results.errors.push(`${name}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
        log(`${name} failed: ${String(err)}`);
      }
    };
    await run('search', () => searchScenario(ctx), (v) => (results.search = v));
    await run('retrieval', () => retrievalScenario(ctx), (v) => (results.retrieval = v));
    await run('start', () => startScenario(ctx), (v) => (results.start = v));
    await run('ingest', () => ingestScenario(ctx), (v) => (results.ingest = v));
    await run('pipeline', () => pipelineScenario(ctx), (v) => (results.pipeline = v));
    await run('burst', () => burstScenario(ctx), (v) => (results.burst = v));
    await run('queue', () => queueScenario(ctx), (v) => (results.queue = v));
    await run('dashboard', () => dashboardScenario(ctx), (v) => (results.dashboard = v));
  } finally {
    results.uptimeAfter = uptime();
    results.totalSeconds = (Date.now() - began) / 1000;
    writeFileSync(join(workDir, 'results.json'), JSON.stringify(results, null, 2));
    const report = renderReport(results);
    process.stdout.write(report);
    if (args.out) {
      writeFileSync(args.out, report);
      writeFileSync(args.out.replace(/(\.md)?$/, '.json'), JSON.stringify(results, null, 2));
    }
    if (args.keep) log(`kept ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
  if (results.errors.length > 0) process.exitCode = 1;
}

void main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
