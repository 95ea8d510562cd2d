// What exists before the fuzzing starts: the namespaces, one target object per kind for updates
// and patches to aim at, and sentinels no request names, which must all survive (issue 14:
// `DELETE /api/v1/componentstatuses` once deleted every pod in every namespace).
import type { FuzzCase } from './case.ts';
import { COLLECTION_NS, KINDS, NS, PATH_NS, pathOf, pathTargetName, SENTINEL_NS, sentinelName, targetName, type FuzzKind } from './kinds.ts';
import type { Transport } from './transport.ts';

export interface Sentinel { what: string; path: string; uid: string; k: FuzzKind; ns: string; name: string }

const SETUP = 'setup';

async function call(t: Transport, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const c: FuzzCase = { group: SETUP, method, path, what: 'setup', ...(body === undefined ? {} : { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' }) };
  const o = await t.send(c, 30_000);
  if (o.kind !== 'response') return { status: 0, json: undefined, text: o.kind === 'closed' ? o.error : 'timeout' };
  const text = o.body.toString('utf8');
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: o.status, json, text };
}

async function create(t: Transport, k: FuzzKind, ns: string, name: string, problems: string[]): Promise<Sentinel | undefined> {
  const r = await call(t, 'POST', pathOf(k, ns), k.valid(name, ns));
  if (r.status !== 201) { problems.push(`creating ${k.info.kind} ${ns}/${name}: ${r.status} ${r.text.slice(0, 300)}`); return undefined; }
  return { what: `${k.info.kind} ${k.info.namespaced ? `${ns}/` : ''}${name}`, path: pathOf(k, ns, name), uid: String(r.json?.metadata?.uid), k, ns, name };
}

/** Create namespaces, targets and sentinels; returns the sentinels and what could not be made. */
export async function prepare(t: Transport): Promise<{ sentinels: Sentinel[]; problems: string[] }> {
  const problems: string[] = [];
  const sentinels: Sentinel[] = [];
  const nsKind = KINDS.find((k) => k.info.kind === 'Namespace')!;
  for (const ns of [NS, SENTINEL_NS, COLLECTION_NS, PATH_NS]) {
    const s = await create(t, nsKind, '', ns, problems);
    if (s) sentinels.push(s);
  }
  for (const k of KINDS) {
    await create(t, k, NS, targetName(k), problems);
    const pathTarget = await create(t, k, PATH_NS, pathTargetName(k), problems);
    if (pathTarget) sentinels.push(pathTarget);
    if (k.info.namespaced) {
      for (const ns of [SENTINEL_NS, NS]) {
        const s = await create(t, k, ns, sentinelName(k), problems);
        if (s) sentinels.push(s);
      }
    } else {
      const s = await create(t, k, '', sentinelName(k), problems);
      if (s) sentinels.push(s);
    }
  }
  return { sentinels, problems };
}

/** Sentinels that are gone, replaced (another uid) or being deleted, each with what was seen. */
export async function missingSentinels(t: Transport, sentinels: readonly Sentinel[]): Promise<Array<{ s: Sentinel; problem: string }>> {
  const check = async (s: Sentinel): Promise<{ s: Sentinel; problem: string } | undefined> => {
    const r = await call(t, 'GET', s.path);
    if (r.status !== 200) return { s, problem: `${s.what} is gone (GET answered ${r.status} ${r.json?.reason ?? r.text.slice(0, 100)})` };
    if (r.json?.metadata?.uid !== s.uid) return { s, problem: `${s.what} was deleted and re-created (uid ${s.uid} → ${r.json?.metadata?.uid})` };
    if (r.json?.metadata?.deletionTimestamp) return { s, problem: `${s.what} is being deleted (deletionTimestamp ${r.json.metadata.deletionTimestamp})` };
    return undefined;
  };
  const out: Array<{ s: Sentinel; problem: string }> = [];
  for (let i = 0; i < sentinels.length; i += 8) {
    for (const m of await Promise.all(sentinels.slice(i, i + 8).map(check))) if (m) out.push(m);
  }
  return out;
}

/** Make a lost sentinel again (so later cases keep their target); false when it cannot be (its namespace is going). */
export async function restoreSentinel(t: Transport, s: Sentinel): Promise<boolean> {
  // An object being deleted (graceful pod deletion) is still there for a moment: 409 until it is gone.
  const deadline = Date.now() + 5_000;
  for (;;) {
    const r = await call(t, 'POST', pathOf(s.k, s.ns), s.k.valid(s.name, s.ns));
    if (r.status === 201) { s.uid = String(r.json?.metadata?.uid); return true; }
    if (r.status !== 409 || Date.now() > deadline) return false;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Every stored object of every fuzz kind, in all namespaces, with its kind's definition name. */
export async function storedObjects(t: Transport): Promise<{ objects: Array<{ k: FuzzKind; obj: any }>; problems: string[] }> {
  const objects: Array<{ k: FuzzKind; obj: any }> = [];
  const problems: string[] = [];
  for (const k of KINDS) {
    const path = k.info.group ? `/apis/${k.info.group}/${k.info.version}/${k.info.resource}` : `/api/${k.info.version}/${k.info.resource}`;
    const r = await call(t, 'GET', path);
    if (r.status !== 200 || !Array.isArray(r.json?.items)) { problems.push(`listing ${path}: ${r.status} ${r.text.slice(0, 300)}`); continue; }
    for (const obj of r.json.items) objects.push({ k, obj });
  }
  return { objects, problems };
}
