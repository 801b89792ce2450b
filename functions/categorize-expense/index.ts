import { readEnv } from '../_shared/env.ts';
import { handlerFromEnv } from './handler.ts';

Deno.serve(handlerFromEnv(readEnv((name) => Deno.env.get(name))));
