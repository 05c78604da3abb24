import { startWorker } from './cell.js';
import type { BenchContext } from './context.js';
import { startPipelineSims } from './pipeline-sims.js';
import { sleep } from './stats.js';

export interface StartFigures {
  /** From spawning `botctl worker` to its first `/readyz` 200, each start. */
  readyMs: number[];
  /** Resident memory 2 s after ready, each start. */
  idleRssMb: number[];
}

/**
 * Cold starts of the real worker on the seeded cell with every remote API configured (the simulators), so readiness
 * includes the Telegram poller: `scale.starts` times start, settle 2 s, read RSS, stop (SIGTERM drain).
 */
export async function startScenario(ctx: BenchContext): Promise<StartFigures> {
  const sims = await startPipelineSims([], 1500);
  const figures: StartFigures = { readyMs: [], idleRssMb: [] };
  try {
    for (let i = 0; i < ctx.scale.starts; i++) {
      const worker = await startWorker({ cell: ctx.cell, name: `start-${i}`, nodeFlags: ctx.workerNodeFlags, flags: [], env: sims.env });
      try {
        await sleep(2000);
        figures.readyMs.push(worker.readyMs);
        figures.idleRssMb.push(worker.memory().rssMb);
      } finally {
        await worker.stop();
      }
      ctx.log(`start ${i + 1}: ready in ${figures.readyMs.at(-1)!.toFixed(0)} ms, idle RSS ${figures.idleRssMb.at(-1)!.toFixed(0)} MB`);
    }
  } finally {
    await sims.close();
  }
  return figures;
}
