/**
 * The `[storage]` setting of supabase/config.toml the local Storage API
 * honours: `file_size_limit` ("50MiB", "500KB", a plain number of bytes),
 * Storage's global upload limit. Absent: the Supabase CLI's 50 MiB. A value
 * that is not a size is an error rather than a silent default.
 */
import { readFileSync } from 'node:fs';

export const DEFAULT_FILE_SIZE_LIMIT = 50 * 1024 * 1024;

const UNITS: Readonly<Record<string, number>> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 1024,
  MIB: 1024 ** 2,
  GIB: 1024 ** 3,
};

export function parseStorageFileSizeLimit(text: string, file = 'supabase/config.toml'): number {
  let inStorage = false;
  let found: { raw: string; line: number } | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#[^"']*$/, '').trim();
    if (line.startsWith('[')) inStorage = /^\[\s*storage\s*\]$/.test(line);
    else if (inStorage) {
      const m = /^file_size_limit\s*=\s*(.+)$/.exec(line);
      if (m) found = { raw: (m[1] ?? '').trim(), line: index + 1 };
    }
  });
  if (found === null) return DEFAULT_FILE_SIZE_LIMIT;
  const { raw, line } = found as { raw: string; line: number };
  const m = /^(?:"([^"]*)"|'([^']*)'|(\d+))$/.exec(raw);
  const size = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/i.exec((m?.[1] ?? m?.[2] ?? m?.[3] ?? '').trim());
  const unit = UNITS[(size?.[2] ?? 'B').toUpperCase()];
  if (!size || unit === undefined) throw new Error(`${file}:${line}: [storage] file_size_limit must be a size such as "50MiB" or "500KB"`);
  return Math.round(Number(size[1]) * unit);
}

export function readStorageFileSizeLimit(file: string): number {
  return parseStorageFileSizeLimit(readFileSync(file, 'utf8'), file);
}
