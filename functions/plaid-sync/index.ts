import { readEnv } from '@wallai/function-env';
import { handlerFromEnv } from './handler.ts';

Deno.serve(handlerFromEnv(readEnv((name) => Deno.env.get(name))));
