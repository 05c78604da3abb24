import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { templatesDir } from '../paths.js';

const require = createRequire(import.meta.url);

/** The dashboard's static files, all served from the package itself (no CDN): its own and uPlot's from node_modules. */
const FILES: Record<string, { path: () => string; type: string }> = {
  'dashboard.css': { path: () => join(templatesDir, 'dashboard', 'assets', 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'charts.js': { path: () => join(templatesDir, 'dashboard', 'assets', 'charts.js'), type: 'text/javascript; charset=utf-8' },
  'login.js': { path: () => join(templatesDir, 'dashboard', 'assets', 'login.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uplot.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** The file's bytes and content type, or null for a name that is not one of the dashboard's assets. */
export function asset(name: string): { body: Buffer; type: string } | null {
  const file = FILES[name];
  if (!file) return null;
  let body = cache.get(name);
  if (!body) cache.set(name, (body = readFileSync(file.path())));
  return { body, type: file.type };
}
