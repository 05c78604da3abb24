/**
 * The bare baseline for ingest: node:http and one better-sqlite3 INSERT of the raw webhook body per POST, in WAL
 * with a synchronous=FULL commit (the durability the product's webhook commit has), then 200. No signature, no
 * parsing, no framework: the floor under what any design on this stack and this disk can do per request.
 *
 * `group` mode is a what-if, not a baseline: requests that arrive while the loop is busy are stored in one FULL
 * transaction per loop turn, then all of them are answered. It shows what group commit would buy the product.
 *
 * Usage: node baseline-server.js <db file> single|group   → prints "listening <port>" on stdout.
 */
import Database from 'better-sqlite3';
import { createServer, type ServerResponse } from 'node:http';

const [dbPath, mode] = [process.argv[2]!, process.argv[3] ?? 'single'];
const db = new Database(dbPath);
db.pragma('busy_timeout = 5000');
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS inbound (id INTEGER PRIMARY KEY, body TEXT NOT NULL, received_at INTEGER NOT NULL)');
const insert = db.prepare('INSERT INTO inbound (body, received_at) VALUES (?, ?)');
const storeOne = db.transaction((body: string) => insert.run(body, Date.now()));
const storeMany = db.transaction((bodies: string[]) => {
  const now = Date.now();
  for (const body of bodies) insert.run(body, now);
});

let batch: { body: string; res: ServerResponse }[] = [];
let flushScheduled = false;

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(status === 200 ? '{"ok":true}' : '{"ok":false}');
}

function flush(): void {
  flushScheduled = false;
  const taken = batch;
  batch = [];
  try {
    storeMany.immediate(taken.map((t) => t.body));
    for (const t of taken) answer(t.res, 200);
  } catch {
    for (const t of taken) answer(t.res, 500);
  }
}

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (b: Buffer) => parts.push(b));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString('utf8');
    if (mode === 'group') {
      batch.push({ body, res });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
      return;
    }
    try {
      storeOne.immediate(body);
      answer(res, 200);
    } catch {
      answer(res, 500);
    }
  });
});
server.keepAliveTimeout = 10_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});
process.on('SIGTERM', () => server.close(() => {
  db.close();
  process.exit(0);
}));
