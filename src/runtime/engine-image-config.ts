// How a run request and an image's config combine into a process, with docker's rules: an
// entrypoint given in the request drops the image's Cmd; request env overrides image env by key;
// the image's WorkingDir and User apply unless the request says otherwise.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageRuntimeConfig } from './images/index.ts';
import { InvalidRunRequest } from './engine-errors.ts';

export interface ProcessRequest {
  entrypoint?: string[];
  args?: string[];
  env?: string[];
  workingDir?: string;
  /** `uid[:gid]` or `name[:group]`. */
  user?: string;
}

export interface MergedProcess {
  args: string[];
  env: string[];
  cwd: string;
  userSpec: string;
}

export function mergeImageConfig(image: ImageRuntimeConfig, req: ProcessRequest): MergedProcess {
  const entrypoint = req.entrypoint ?? image.Entrypoint ?? [];
  const cmd = req.args && req.args.length > 0 ? req.args : req.entrypoint ? [] : (image.Cmd ?? []);
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw new InvalidRunRequest('no command given and the image has neither Entrypoint nor Cmd');
  const env = new Map<string, string>();
  for (const e of [...image.Env, ...(req.env ?? [])]) {
    const eq = e.indexOf('=');
    env.set(eq < 0 ? e : e.slice(0, eq), e);
  }
  return { args, env: [...env.values()], cwd: req.workingDir ?? (image.WorkingDir || '/'), userSpec: req.user ?? image.User };
}

/** Looks `name` up in the first layer (topmost first) that has the file; undefined when absent. */
async function lookup(layersTopFirst: string[], file: string, name: string): Promise<string[] | undefined> {
  for (const dir of layersTopFirst) {
    let text: string;
    try {
      text = await readFile(join(dir, file), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const fields = line.split(':');
      if (fields[0] === name) return fields;
    }
    return undefined;
  }
  return undefined;
}

/** Resolves a `user[:group]` spec to numeric ids with the image's /etc/passwd and /etc/group. */
export async function resolveUser(spec: string, layersTopFirst: string[]): Promise<{ uid: number; gid: number }> {
  if (spec === '') return { uid: 0, gid: 0 };
  const [u = '', g] = spec.split(':');
  let uid: number;
  let gid: number | undefined;
  if (/^\d+$/.test(u)) uid = Number(u);
  else {
    const entry = await lookup(layersTopFirst, 'etc/passwd', u);
    if (!entry) throw new InvalidRunRequest(`user "${u}" not found in the image's /etc/passwd`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const entry = await lookup(layersTopFirst, 'etc/group', g);
      if (!entry) throw new InvalidRunRequest(`group "${g}" not found in the image's /etc/group`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid: gid ?? 0 };
}
