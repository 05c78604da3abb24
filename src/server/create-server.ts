import { Hono } from 'hono';
import type { Db } from '../storage/open-db.js';

export interface ServerDeps {
  db: Db;
  /** Last time the job runner read the queue (epoch ms). */
  runnerTickAt: () => number;
  clock?: () => number;
}

/**
 * The worker's HTTP app. `/healthz`: the process is alive and the database writable. `/readyz`: the job runner
 * is turning. Later capabilities (webhooks, metrics, the console) add routes here.
 */
export function createServer(deps: ServerDeps): Hono {
  const clock = deps.clock ?? Date.now;
  const app = new Hono();

  app.get('/healthz', (c) => {
    try {
      deps.db.prepare("INSERT INTO cell_meta (key, value) VALUES ('health_probe', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .run(Buffer.from(String(clock())));
      return c.json({ ok: true });
    } catch (err) {
      return c.json({ ok: false, error: `database not writable: ${(err as Error).message}`, fix: 'check disk space and the data folder permissions (botctl doctor)' }, 503);
    }
  });

  app.get('/readyz', (c) => {
    const age = clock() - deps.runnerTickAt();
    const ready = age < 10_000;
    return c.json({ ok: ready, jobRunner: { lastTickMsAgo: age } }, ready ? 200 : 503);
  });

  app.notFound((c) => c.json({ ok: false, error: `no route ${c.req.method} ${c.req.path}` }, 404));
  return app;
}
