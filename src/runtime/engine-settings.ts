// The settings an engine's data directory was created with (`<dataDir>/engine.json`): later opens
// (another CLI process, a restarted agent) use the same cgroup root, bridge and subnet unless told
// otherwise, so several engines on one host never share them by accident.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeSelector } from './oci-runtime.ts';

export interface EngineSettings {
  cgroupRoot: string;
  bridge: string;
  subnet: string;
  runtime: RuntimeSelector;
}

export const DEFAULT_SETTINGS: EngineSettings = { cgroupRoot: '/skiff', bridge: 'skiff0', subnet: '10.42.0.0/24', runtime: 'crun' };

/** Settings from `engine.json`, overridden by `requested`; written back when they changed. */
export async function loadSettings(dataDir: string, requested: Partial<EngineSettings>): Promise<EngineSettings> {
  const file = join(dataDir, 'engine.json');
  let stored: Partial<EngineSettings> = {};
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as Partial<EngineSettings>;
  } catch {
    // first open
  }
  const defined = Object.fromEntries(Object.entries(requested).filter(([, v]) => v !== undefined)) as Partial<EngineSettings>;
  const settings: EngineSettings = { ...DEFAULT_SETTINGS, ...stored, ...defined };
  if (JSON.stringify(settings) !== JSON.stringify({ ...DEFAULT_SETTINGS, ...stored }) || Object.keys(stored).length === 0) {
    await mkdir(dataDir, { recursive: true });
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(settings, null, 2));
    await rename(tmp, file);
  }
  return settings;
}
