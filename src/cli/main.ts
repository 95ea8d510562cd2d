// Entry of the `skiff` command (bin/skiff.js calls main).
import { buildProgram } from './program.ts';

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
