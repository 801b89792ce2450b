export type * from './types.ts';
export { BANK_FORMATS } from './types.ts';
