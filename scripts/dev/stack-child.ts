/**
 * The local stack in a process of its own, for tests that kill it: starts
 * `startStack` with the JSON options in argv[2], prints one JSON line with the
 * stack's URLs and keys on stdout once it is up, then serves until killed.
 */
import { startStack, type StackOptions } from './stack.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as StackOptions;
const stack = await startStack({ ...options, log: (line) => process.stderr.write(`${line}\n`), gatewayLog: () => {} });
process.stdout.write(
  `${JSON.stringify({
    apiUrl: stack.apiUrl,
    functionsUrl: stack.functionsUrl,
    databaseUrl: stack.databaseUrl,
    anonKey: stack.anonKey,
    tokens: stack.tokens,
    built: stack.database.built,
  })}\n`,
);
const stop = () => void stack.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
