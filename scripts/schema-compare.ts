/**
 * npm run schema:compare -- [<git-ref>] [--dump <file>]
 *
 * Builds two embedded databases: one from the compatibility layer and the
 * migrations as they are at <git-ref> (default: HEAD), one from the working
 * tree, dumps both catalogues (scripts/lib/catalogue.ts) and prints the
 * difference. Exit 0 when the two schemas are the same, 1 when they differ,
 * 2 on a usage or build error. `--dump <file>` also writes the working tree's
 * catalogue to a file.
 *
 * It is how a re-cut of the migrations is proven to change nothing, and how a
 * schema change is reviewed: every line it prints is a difference a client can
 * observe (a column, a grant, a policy, a function body...).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compatLayerFile, migrationsDir, openPglite, pgliteClient, readCompatLayer, readMigrations, repoRoot } from '@wallai/db-client';
import { dumpCatalogue } from './lib/catalogue.ts';

interface SchemaSource {
  readonly label: string;
  readonly compat: string;
  readonly migrations: ReadonlyArray<{ file: string; sql: string }>;
}

const git = (...args: string[]): string => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });

function sourceAtRef(ref: string): SchemaSource {
  const rel = (p: string) => path.relative(repoRoot, p);
  const files = git('ls-tree', '--name-only', `${ref}:${rel(migrationsDir)}`)
    .split('\n')
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  return {
    label: ref,
    compat: git('show', `${ref}:${rel(compatLayerFile)}`),
    migrations: files.map((file) => ({ file, sql: git('show', `${ref}:${rel(migrationsDir)}/${file}`) })),
  };
}

function workingTree(): SchemaSource {
  return { label: 'working tree', compat: readCompatLayer(), migrations: readMigrations() };
}

async function catalogueOf(source: SchemaSource): Promise<string> {
  const db = pgliteClient(await openPglite());
  try {
    await db.exec(source.compat);
    for (const m of source.migrations) {
      try {
        await db.transaction((tx) => tx.exec(m.sql));
      } catch (error) {
        throw new Error(`${source.label}: migration ${m.file} failed: ${(error as Error).message}`, { cause: error });
      }
    }
    return await dumpCatalogue(db);
  } finally {
    await db.close();
  }
}

async function main(argv: string[]): Promise<number> {
  let ref = 'HEAD';
  let dumpFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--dump') dumpFile = argv[++i];
    else if (arg === '-h' || arg === '--help') {
      console.log('Usage: npm run schema:compare -- [<git-ref>] [--dump <file>]');
      return 0;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else ref = arg;
  }
  if (argv.includes('--dump') && !dumpFile) throw new UsageError('--dump needs a file name');

  const [before, after] = [await catalogueOf(sourceAtRef(ref)), await catalogueOf(workingTree())];
  if (dumpFile) writeFileSync(dumpFile, after);
  if (before === after) {
    console.log(`schema:compare  same schema as ${ref} (${after.split('\n').length} catalogue lines)`);
    return 0;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'wallai-catalogue-'));
  try {
    const a = path.join(dir, ref.replace(/[^\w.-]+/g, '_'));
    const b = path.join(dir, 'working-tree');
    writeFileSync(a, before);
    writeFileSync(b, after);
    try {
      execFileSync('git', ['diff', '--no-index', '--no-color', '-U0', a, b], { stdio: 'inherit' });
    } catch {
      // git diff exits 1 when the files differ: that is the answer, not a failure.
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`schema:compare  the schema differs from ${ref} (above: - at ${ref}, + in the working tree)`);
  return 1;
}

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`schema:compare failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
