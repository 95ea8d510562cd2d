import { Command } from 'commander';
import { registerAgentCommand } from './agent-command.ts';
import { registerEngineCommands } from './engine-commands.ts';
import { registerImageCommand } from './image-command.ts';
import { registerKubeconfigCommand } from './kubeconfig-command.ts';
import { registerProxyCommand } from './proxy-command.ts';
import { registerServerCommand } from './server-command.ts';
import { registerSimNodesCommand } from './sim-nodes-command.ts';
import { registerTokenCommand } from './token-command.ts';
import { registerUpCommand } from './up-command.ts';

export function buildProgram(): Command {
  const program = new Command('skiff')
    .description('Kubernetes, rebuilt in TypeScript: real containers on a real Linux kernel, driven by the real kubectl')
    .version('0.1.0')
    .showHelpAfterError();
  registerUpCommand(program);
  registerServerCommand(program);
  registerAgentCommand(program);
  registerSimNodesCommand(program);
  registerTokenCommand(program);
  registerKubeconfigCommand(program);
  registerImageCommand(program);
  registerEngineCommands(program);
  registerProxyCommand(program);
  return program;
}
