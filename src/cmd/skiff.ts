// Thin entry point: `node --import tsx src/cmd/skiff.ts …` runs the CLI from source.
import { main } from '../cli/main.ts';

await main(process.argv);
