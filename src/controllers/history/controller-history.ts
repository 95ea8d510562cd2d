// ControllerRevision history shared by the StatefulSet and DaemonSet controllers
// (pkg/controller/history/controller_history.go). A revision is an immutable snapshot of a
// controller's pod template, named PARENT-HASH where HASH is FNV-32 (FNV-1, as hash/fnv New32) of
// the snapshot's JSON bytes, plus the decimal collision count when one is given, rendered with
// the safe alphabet. Revisions are sorted by number (ties: older first, then by name); equality is
// byte equality of the snapshot. The pure functions are here; ControllerHistory does the API calls.
import { isAlreadyExists, isConflict, isInvalid, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ControllerRevision } from '../../api/types/apps-v1.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { safeEncodeString } from '../deployment/pod-template-hash.ts';
import { controllerRefOf, newControllerRef } from '../util/controller-ref.ts';

/** Upstream's ControllerRevisionHashLabel: the hash part of a revision's name. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** FNV-1, 32 bits (hash/fnv New32: multiply, then xor). */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/**
 * JSON as Go's encoding/json writes a map[string]interface{}: keys sorted at every level, no
 * spaces, and <, >, &, U+2028, U+2029 escaped. Undefined members are dropped, as JSON.stringify does.
 */
export function goJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** The bytes a revision's data stands for (upstream's Data.Raw). */
export function revisionBytes(rev: Pick<ControllerRevision, 'data'>): string {
  return rev.data === undefined ? '' : goJson(rev.data);
}

/** HashControllerRevision: the data's bytes, then the collision count as decimal text if given. */
export function hashControllerRevision(rev: Pick<ControllerRevision, 'data'>, collisionCount?: number): string {
  let text = revisionBytes(rev);
  if (collisionCount !== undefined) text += String(collisionCount);
  return safeEncodeString(String(fnv32(new TextEncoder().encode(text))));
}

/** ControllerRevisionName: PREFIX-HASH, the prefix cut to 223 characters so the name fits 253. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

export interface RevisionParent {
  object: KubeObject;
  apiVersion: string;
  kind: string;
}

/**
 * NewControllerRevision: labelled with the template's labels and the hash, owned by the parent
 * through a controller reference, named after the parent and the hash.
 */
export function newControllerRevision(parent: RevisionParent, templateLabels: Record<string, string> | undefined, data: unknown, revision: number, collisionCount?: number): ControllerRevision {
  const hash = hashControllerRevision({ data }, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(parent.object.metadata.name ?? '', hash),
      namespace: parent.object.metadata.namespace ?? 'default',
      labels: { ...templateLabels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(parent.object, parent.apiVersion, parent.kind)],
    },
    data,
    revision,
  };
}

/** byRevision: by number, then older first, then by name. A sorted copy. */
export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return ta - tb;
    const na = a.metadata.name ?? '';
    const nb = b.metadata.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

/** EqualRevision: the same snapshot bytes (hash labels that differ settle it sooner). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  // Upstream compares the labels only when both parse as integers, which safe-encoded hashes
  // rarely do; comparing the bytes alone gives the same answer.
  if (ha !== undefined && hb !== undefined && /^\d+$/.test(ha) && /^\d+$/.test(hb) && ha !== hb) return false;
  return revisionBytes(a) === revisionBytes(b);
}

/** FindEqualRevisions, in the order given. */
export function findEqualRevisions(revs: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/** nextRevision: one past the highest number of a sorted history, 1 for none. */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  const last = sorted[sorted.length - 1];
  return last ? last.revision + 1 : 1;
}

/**
 * The revisions truncateHistory deletes: of those not live (not current, not update, not the
 * revision of any pod), the oldest beyond `limit`. `sorted` must be sorted by sortRevisions.
 */
export function revisionsToTruncate(sorted: readonly ControllerRevision[], live: ReadonlySet<string>, limit: number): ControllerRevision[] {
  const history = sorted.filter((r) => !live.has(r.metadata.name ?? ''));
  if (limit < 0 || history.length <= limit) return [];
  return history.slice(0, history.length - limit);
}

/** The API side of a controller's history (upstream's realHistory), over an informer's view of revisions. */
export class ControllerHistory {
  readonly #client: ResourceClient<ControllerRevision>;
  readonly #list: (namespace: string) => ControllerRevision[];

  constructor(client: ResourceClient<ControllerRevision>, list: (namespace: string) => ControllerRevision[]) {
    this.#client = client;
    this.#list = list;
  }

  /** ListControllerRevisions: those selected and either owned by the parent or orphans. */
  list(parent: KubeObject, selector: LabelSelectorExpr): ControllerRevision[] {
    return this.#list(parent.metadata.namespace ?? '').filter((r) => {
      if (!matchesLabels(selector, r.metadata.labels)) return false;
      const ref = controllerRefOf(r);
      return !ref || ref.uid === parent.metadata.uid;
    });
  }

  /**
   * CreateControllerRevision: on a name taken by different data the collision count goes up and
   * the name is hashed again; taken by the same data, the existing revision is the answer.
   * Returns the revision and the (possibly raised) collision count.
   */
  async create(parent: KubeObject, revision: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
    let count = collisionCount;
    const namespace = parent.metadata.namespace ?? 'default';
    for (;;) {
      const hash = hashControllerRevision(revision, count);
      const clone: ControllerRevision = structuredClone(revision);
      clone.metadata.name = controllerRevisionName(parent.metadata.name ?? '', hash);
      clone.metadata.namespace = namespace;
      try {
        return { revision: await this.#client.create(namespace, clone), collisionCount: count };
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const exists = await this.#client.get(namespace, clone.metadata.name);
        if (revisionBytes(exists) === revisionBytes(clone)) return { revision: exists, collisionCount: count };
        count += 1;
      }
    }
  }

  /** UpdateControllerRevision: give an existing revision a new number (a rollback), retrying conflicts. */
  async updateRevisionNumber(revision: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let current = revision;
    for (let attempt = 0; ; attempt++) {
      if (current.revision === newRevision) return current;
      try {
        return await this.#client.update(current.metadata.namespace, { ...structuredClone(current), revision: newRevision });
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
        current = await this.#client.get(current.metadata.namespace, current.metadata.name ?? '');
      }
    }
  }

  async delete(revision: ControllerRevision): Promise<void> {
    try {
      await this.#client.delete(revision.metadata.namespace, revision.metadata.name ?? '');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** AdoptControllerRevision: an orphan gets the parent's controller reference (uid-guarded patch). */
  async adopt(parent: RevisionParent, revision: ControllerRevision): Promise<ControllerRevision> {
    const owner = controllerRefOf(revision);
    if (owner) throw new Error(`attempt to adopt revision owned by ${owner.kind} ${owner.name}`);
    return this.#client.patch(revision.metadata.namespace, revision.metadata.name ?? '', 'strategic', {
      metadata: { ownerReferences: [newControllerRef(parent.object, parent.apiVersion, parent.kind)], uid: revision.metadata.uid },
    });
  }

  /** ReleaseControllerRevision: drop the parent's reference; a revision gone or replaced is no error. */
  async release(parent: KubeObject, revision: ControllerRevision): Promise<void> {
    try {
      await this.#client.patch(revision.metadata.namespace, revision.metadata.name ?? '', 'strategic', {
        metadata: { ownerReferences: [{ $patch: 'delete', uid: parent.metadata.uid }], uid: revision.metadata.uid },
      });
    } catch (err) {
      if (isNotFound(err) || isInvalid(err)) return;
      throw err;
    }
  }
}
