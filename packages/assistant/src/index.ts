export * from './citations.ts';
export * from './money.ts';
export * from './offline.ts';
export * from './parser.ts';
export * from './periods.ts';
export * from './prompt.ts';
export * from './tools.ts';
export * from './transcript.ts';
export type { ModelClient, ModelEvent, ModelRequest, ModelUsage, SystemBlock } from './model.ts';
