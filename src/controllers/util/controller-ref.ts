// Adoption and release of objects by their controller (pkg/controller/controller_ref_manager.go):
// a controller owns the objects whose controller ownerReference names its uid. It adopts matching
// orphans and releases owned objects that stop matching its selector; it never touches an object
// another controller owns, nor one being deleted, and it neither adopts nor releases while it is
// being deleted itself. Generic over the owned kind: the ReplicaSet controller claims pods, the
// Deployment controller ReplicaSets.
import { isInvalid, isNotFound } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import { matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ResourceClient } from '../../client/resource-client.ts';

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function controllerRefOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The controller ownerReference an owner puts on what it creates (metav1.NewControllerRef). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export interface ControllerRefManagerOptions<T extends KubeObject> {
  /** The controller as its informer holds it. */
  owner: KubeObject;
  /** Its apiVersion and kind for the ownerReference (informer objects may lack them). */
  apiVersion: string;
  kind: string;
  selector: LabelSelectorExpr;
  /** Client of the owned kind; adoption and release are strategic-merge patches on it. */
  client: ResourceClient<T>;
  /**
   * Called once before the first adoption: must throw if the controller may not adopt, e.g. a
   * fresh read shows it deleted or being deleted (upstream's RecheckDeletionTimestamp), so a
   * stale informer copy never adopts on behalf of a controller that is going away.
   */
  canAdopt: () => Promise<void>;
}

export interface ClaimResult<T> {
  /** Objects this controller owns after the claim (already owned and matching, or adopted). */
  claimed: T[];
  /** Errors adopting or releasing (objects that vanished meanwhile are not errors). */
  errors: unknown[];
}

export class ControllerRefManager<T extends KubeObject> {
  readonly #o: ControllerRefManagerOptions<T>;
  #canAdopt: Promise<void> | undefined;

  constructor(options: ControllerRefManagerOptions<T>) {
    this.#o = options;
  }

  /** Claims from `objs` (same namespace as the owner) what belongs to this controller. */
  async claim(objs: readonly T[]): Promise<ClaimResult<T>> {
    const claimed: T[] = [];
    const errors: unknown[] = [];
    await Promise.all(objs.map(async (obj) => {
      try {
        if (await this.#claimOne(obj)) claimed.push(obj);
      } catch (err) {
        errors.push(err);
      }
    }));
    // Keep the caller's order (Promise.all finishes out of order).
    const order = new Map(objs.map((o, i) => [o, i]));
    claimed.sort((a, b) => order.get(a)! - order.get(b)!);
    return { claimed, errors };
  }

  async #claimOne(obj: T): Promise<boolean> {
    const owner = this.#o.owner;
    const ref = controllerRefOf(obj);
    const matches = matchesLabels(this.#o.selector, obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) return false;
      if (matches) return true;
      // Ours but no longer selected: let it go, unless we are being deleted (the garbage
      // collector is about to deal with it).
      if (owner.metadata.deletionTimestamp) return false;
      await this.#ignoreGone(this.release(obj));
      return false;
    }
    if (owner.metadata.deletionTimestamp || !matches) return false;
    if (obj.metadata.deletionTimestamp) return false;
    if (owner.metadata.namespace && owner.metadata.namespace !== obj.metadata.namespace) return false;
    this.#canAdopt ??= this.#o.canAdopt();
    await this.#canAdopt;
    const adopted = await this.#ignoreGone(this.adopt(obj));
    return adopted;
  }

  async #ignoreGone(p: Promise<unknown>): Promise<boolean> {
    try {
      await p;
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Adds the controller reference. The uid in the patch makes it fail if the object was replaced by
   * another of the same name meanwhile (upstream's patch carries it for the same reason).
   */
  async adopt(obj: T): Promise<void> {
    const ref = newControllerRef(this.#o.owner, this.#o.apiVersion, this.#o.kind);
    await this.#o.client.patch(obj.metadata.namespace, obj.metadata.name ?? '', 'strategic', {
      metadata: { ownerReferences: [ref], uid: obj.metadata.uid },
    });
  }

  /** Removes this controller's reference (keyed by uid, so other owners' references stay). */
  async release(obj: T): Promise<void> {
    try {
      await this.#o.client.patch(obj.metadata.namespace, obj.metadata.name ?? '', 'strategic', {
        metadata: { ownerReferences: [{ $patch: 'delete', uid: this.#o.owner.metadata.uid }], uid: obj.metadata.uid },
      });
    } catch (err) {
      // Upstream also treats an invalid patch (the object being replaced) as gone.
      if (isInvalid(err)) return;
      throw err;
    }
  }
}
