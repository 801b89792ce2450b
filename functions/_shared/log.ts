/** Structured logs of a function: one JSON line per event, to the console (the edge runtime collects them). */

export type Logger = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export function consoleLogger(fn: string): Logger {
  return (level, message, fields = {}) => {
    const line = JSON.stringify({ level, fn, msg: message, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  };
}
