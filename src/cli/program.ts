import { Command } from 'commander';
import { registerAgentCommand } from './agent-command.ts';
import { registerEngineCommands } from './engine-commands.ts';
import { registerImageCommand } from './image-command.ts';
import { registerServerCommand } from './server-command.ts';

export function buildProgram(): Command {
  const program = new Command('skiff')
    .description('Kubernetes, rebuilt in TypeScript: an API server real kubectl drives, and the engine under it')
    .version('0.1.0')
    .showHelpAfterError();
  registerServerCommand(program);
  registerAgentCommand(program);
  registerImageCommand(program);
  registerEngineCommands(program);
  return program;
}
