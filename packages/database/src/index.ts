export type { Database, Json, Tables, TablesInsert, TablesUpdate, Enums, CompositeTypes } from './database.types.ts';
export { Constants } from './database.types.ts';
