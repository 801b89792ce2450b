import { describe, expect, it } from 'vitest';
import { DEFAULT_FILE_SIZE_LIMIT, parseStorageFileSizeLimit } from './config.ts';

describe('the [storage] upload limit of config.toml', () => {
  it('reads binary and decimal units and plain byte counts', () => {
    expect(parseStorageFileSizeLimit('[storage]\nenabled = true\nfile_size_limit = "50MiB"\n')).toBe(50 * 1024 * 1024);
    expect(parseStorageFileSizeLimit('[storage]\nfile_size_limit = "500KB" # small\n')).toBe(500_000);
    expect(parseStorageFileSizeLimit('[storage]\nfile_size_limit = 1048576\n')).toBe(1048576);
  });

  it("defaults to the CLI's 50 MiB, ignoring other sections' limits", () => {
    expect(parseStorageFileSizeLimit('[api]\nmax_rows = 10\n[storage.buckets.images]\nfile_size_limit = "1MB"\n')).toBe(
      DEFAULT_FILE_SIZE_LIMIT,
    );
  });

  it('refuses a value that is not a size, naming the line', () => {
    expect(() => parseStorageFileSizeLimit('[storage]\nfile_size_limit = "lots"\n', 'config.toml')).toThrow(
      'config.toml:2: [storage] file_size_limit must be a size',
    );
  });
});
