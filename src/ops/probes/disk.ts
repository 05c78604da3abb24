import { statfs } from 'node:fs/promises';

export interface DiskUsage {
  path: string;
  totalBytes: number;
  /** What an unprivileged process may still write (statfs bavail): the number that matters to the worker. */
  freeBytes: number;
  /** Share of the space unavailable to us, 0..1. */
  usedRatio: number;
}

/** statfs of the file system holding `path`. */
export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  const totalBytes = s.blocks * s.bsize;
  const freeBytes = s.bavail * s.bsize;
  return { path, totalBytes, freeBytes, usedRatio: totalBytes > 0 ? 1 - freeBytes / totalBytes : 0 };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
