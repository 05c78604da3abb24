import { createServer } from 'node:http';
import { describe, expect, test } from 'vitest';
import { healthVerdict, probeHttp } from '../../../src/supervisor/health-probe.js';

const spec = { unhealthyAfterMs: 15_000, startTimeoutMs: 60_000 };

describe('healthVerdict', () => {
  test('a fresh child gets the start timeout before its first answer', () => {
    expect(healthVerdict(spec, 0, null, 59_999)).toEqual({ state: 'starting' });
    expect(healthVerdict(spec, 0, null, 60_000)).toMatchObject({ state: 'unhealthy', silentForMs: 60_000, reason: expect.stringContaining('within 60 s of starting') });
  });

  test('after its first answer, silence longer than unhealthyAfterMs is unhealthy', () => {
    expect(healthVerdict(spec, 0, 1000, 15_999)).toEqual({ state: 'healthy' });
    expect(healthVerdict(spec, 0, 1000, 16_000)).toMatchObject({ state: 'unhealthy', silentForMs: 15_000, reason: 'its health check has failed for 15.0 s' });
  });
});

describe('probeHttp on a real server', () => {
  test('2xx is healthy; 503 and a server that never answers are not, with the reason', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/ok') res.end('{"ok":true}');
      else if (req.url === '/sick') {
        res.statusCode = 503;
        res.end('{"ok":false,"error":"database not writable"}');
      }
      // '/hang': never answers, as a worker whose event loop is blocked.
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      expect(await probeHttp(`http://127.0.0.1:${port}/ok`, 1000)).toEqual({ ok: true, detail: '200' });
      expect(await probeHttp(`http://127.0.0.1:${port}/sick`, 1000)).toEqual({ ok: false, detail: '503 {"ok":false,"error":"database not writable"}' });
      const started = Date.now();
      expect(await probeHttp(`http://127.0.0.1:${port}/hang`, 300)).toEqual({ ok: false, detail: 'no answer within 300 ms' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
    expect(await probeHttp(`http://127.0.0.1:${port}/ok`, 1000)).toEqual({ ok: false, detail: 'ECONNREFUSED' });
  });
});
