/**
 * PGlite has no lock of its own: two processes opening one data directory
 * would corrupt it. The dev stack writes `<dataDir>.lock` while it holds the
 * directory; other tools (npm run categorize) read it to point users at the
 * running stack's socket server instead.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface LockInfo {
  readonly pid: number;
  readonly databaseUrl: string;
  readonly startedAt: string;
}

export const lockFileFor = (dataDir: string): string => `${dataDir.replace(/[/\\]+$/, '')}.lock`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of a live process holding dataDir, or null (no lock, or a stale one). */
export function readLiveLock(dataDir: string): LockInfo | null {
  let info: LockInfo;
  try {
    info = JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8')) as LockInfo;
  } catch {
    return null;
  }
  return typeof info.pid === 'number' && info.pid !== process.pid && alive(info.pid) ? info : null;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `${dataDir} is in use by another process (pid ${holder.pid}, started ${holder.startedAt}), ` +
        `probably a running \`npm run dev\`. Use its server instead: DATABASE_URL=${holder.databaseUrl}`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Takes the lock or throws DataDirLockedError; returns the release function. */
export function acquireLock(dataDir: string, databaseUrl: string): () => void {
  const file = lockFileFor(dataDir);
  const info: LockInfo = { pid: process.pid, databaseUrl, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      writeFileSync(file, JSON.stringify(info), { flag: 'wx' });
      return () => {
        try {
          const current = JSON.parse(readFileSync(file, 'utf8')) as LockInfo;
          if (current.pid === process.pid) rmSync(file, { force: true });
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readLiveLock(dataDir);
      if (holder !== null) throw new DataDirLockedError(dataDir, holder);
      rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new Error(`could not take the lock ${file}`);
}
