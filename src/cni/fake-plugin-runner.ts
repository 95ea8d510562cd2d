// A PluginRunner that records calls and answers from a script, for tests without real plugins.
import type { PluginRunner } from './plugin-exec.ts';
import type { CniCommand, RuntimeConf } from './types.ts';

export interface RecordedCall {
  plugin: string;
  command: CniCommand;
  rt: RuntimeConf;
  config: Record<string, unknown>;
}

export type FakeAnswer = (call: RecordedCall) => unknown;

export class FakePluginRunner implements PluginRunner {
  readonly calls: RecordedCall[] = [];
  readonly #answer: FakeAnswer;

  constructor(answer: FakeAnswer) {
    this.#answer = answer;
  }

  async run(plugin: string, command: CniCommand, rt: RuntimeConf, config: object): Promise<unknown> {
    const call = { plugin, command, rt, config: config as Record<string, unknown> };
    this.calls.push(call);
    return this.#answer(call);
  }
}
