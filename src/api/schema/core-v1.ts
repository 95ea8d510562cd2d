import type { Definitions } from './dsl.ts';

export const definitions: Definitions = {};
