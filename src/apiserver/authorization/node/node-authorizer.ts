// The Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go, with the
// AuthorizeNodeWithSelectors behaviour upstream enables by default since 1.32). For users
// `system:node:NAME` in `system:nodes`:
//   - secrets, configmaps, persistent volume claims and volumes, resource claims, and
//     serviceaccounts/token: only objects the graph relates to the node (through a pod bound to it);
//   - its own Node (reads by name; writes are allowed here and narrowed by NodeRestriction);
//   - pods: reads of pods bound to it, lists and watches with `spec.nodeName=NAME`;
//   - Leases in kube-node-lease of its own name;
//   - anything else: NODE_RULES.
// Other users: no opinion. A refusal is "no opinion" with a reason, as upstream, so the next
// authorizer (RBAC) may still allow.
import type { AuthorizationAttributes, AuthorizationResult, Authorizer } from '../types.ts';
import type { WatchCache } from '../../cache/watch-cache.ts';
import { Graph, type VertexType } from './graph.ts';
import { populateGraph } from './graph-populator.ts';
import { NODE_RULES, rulesAllow } from './node-rules.ts';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** pkg/auth/nodeidentifier: the node a user speaks for, '' when a node user has no name, undefined for others. */
export function nodeIdentity(user: { name: string; groups: readonly string[] }): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}

const ALLOW: AuthorizationResult = { decision: 'allow', reason: '' };
function noOpinion(reason: string): AuthorizationResult { return { decision: 'no-opinion', reason }; }

export interface NodeAuthorizerOptions {
  graph: Graph;
  /**
   * Brings the graph up to date with the store (the watch cache's consistent read). Called once
   * before refusing for want of a relationship, so a pod bound a moment ago is seen.
   */
  sync?: () => Promise<void>;
  /** Resolves once the graph holds the store's state (requests wait for it). */
  ready?: Promise<void>;
}

/** Requirements of a field selector (`a=b,c==d,e!=f`), equality ones only. */
function fieldEquals(selector: string | undefined, field: string): string[] {
  if (!selector) return [];
  const out: string[] = [];
  for (const part of selector.split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*(.*?)\s*$/.exec(part);
    if (m && m[1] === field) out.push(m[2]!);
  }
  return out;
}

export class NodeAuthorizer implements Authorizer {
  readonly name = 'Node';
  readonly #graph: Graph;
  readonly #sync: (() => Promise<void>) | undefined;
  #ready: Promise<void> | undefined;

  constructor(opts: NodeAuthorizerOptions) {
    this.#graph = opts.graph;
    this.#sync = opts.sync;
    this.#ready = opts.ready?.then(() => { this.#ready = undefined; });
  }

  async authorize(a: AuthorizationAttributes): Promise<AuthorizationResult> {
    const nodeName = nodeIdentity(a.user);
    if (nodeName === undefined) return noOpinion('');
    if (nodeName === '') return noOpinion(`unknown node for user "${a.user.name}"`);
    if (this.#ready) await this.#ready;
    if (a.isResourceRequest) {
      const gr = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
      switch (gr) {
        case 'secrets': return this.#readNamespaced(nodeName, 'secret', a);
        case 'configmaps': return this.#readNamespaced(nodeName, 'configmap', a);
        case 'persistentvolumeclaims':
          if (a.subresource === 'status') return this.#statusUpdate(nodeName, 'pvc', a);
          return this.#get(nodeName, 'pvc', a);
        case 'persistentvolumes': return this.#get(nodeName, 'pv', a);
        case 'resourceclaims.resource.k8s.io': return this.#get(nodeName, 'resourceclaim', a);
        case 'serviceaccounts': return this.#createToken(nodeName, a);
        case 'leases.coordination.k8s.io': return this.#lease(nodeName, a);
        case 'nodes': return this.#node(nodeName, a);
        case 'pods': return this.#pod(nodeName, a);
        default: break;
      }
    }
    return rulesAllow(a, NODE_RULES) ? ALLOW : noOpinion('');
  }

  async #related(nodeName: string, type: VertexType, a: AuthorizationAttributes): Promise<AuthorizationResult> {
    if (!a.name) return noOpinion('No Object name found');
    let ok = this.#graph.hasPathFrom(nodeName, type, a.namespace, a.name);
    if (!ok && this.#sync) {
      await this.#sync();
      ok = this.#graph.hasPathFrom(nodeName, type, a.namespace, a.name);
    }
    return ok ? ALLOW : noOpinion(`no relationship found between node '${nodeName}' and this object`);
  }

  #readNamespaced(nodeName: string, type: VertexType, a: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult {
    if (a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch') return noOpinion('can only read resources of this type');
    if (a.subresource) return noOpinion('cannot read subresource');
    if (!a.namespace) return noOpinion('can only read namespaced object of this type');
    return this.#related(nodeName, type, a);
  }

  #get(nodeName: string, type: VertexType, a: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult {
    if (a.verb !== 'get') return noOpinion('can only get individual resources of this type');
    if (a.subresource) return noOpinion('cannot get subresource');
    return this.#related(nodeName, type, a);
  }

  #statusUpdate(nodeName: string, type: VertexType, a: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult {
    if (a.verb !== 'update' && a.verb !== 'patch') return noOpinion('can only get/update/patch this type');
    return this.#related(nodeName, type, a);
  }

  #createToken(nodeName: string, a: AuthorizationAttributes): Promise<AuthorizationResult> | AuthorizationResult {
    if (a.verb !== 'create' || !a.name) return noOpinion('can only create tokens for individual service accounts');
    if (a.subresource !== 'token') return noOpinion('can only create token subresource of serviceaccount');
    return this.#related(nodeName, 'serviceAccount', a);
  }

  #lease(nodeName: string, a: AuthorizationAttributes): AuthorizationResult {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) return noOpinion('can only get, create, update, patch, or delete a node lease');
    if (a.namespace !== NODE_LEASE_NAMESPACE) return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    // The name of a lease being created is in the body: NodeRestriction checks it.
    if (a.verb !== 'create' && a.name !== nodeName) return noOpinion('can only access node lease with the same name as the requesting node');
    return ALLOW;
  }

  #node(nodeName: string, a: AuthorizationAttributes): AuthorizationResult {
    if (a.subresource === '') {
      // Writes are narrowed to the node's own Node by NodeRestriction.
      if (a.verb === 'create' || a.verb === 'update' || a.verb === 'patch') return ALLOW;
      if (a.verb === 'get' || a.verb === 'list' || a.verb === 'watch') {
        // By name, not through the graph: a kubelet reads its Node before creating it.
        const name = a.name || (fieldEquals(a.fieldSelector, 'metadata.name').length === 1 ? fieldEquals(a.fieldSelector, 'metadata.name')[0]! : '');
        if (name === nodeName) return ALLOW;
        if (name === '') return noOpinion(`node '${nodeName}' cannot read all nodes, only its own Node object`);
        return noOpinion(`node '${nodeName}' cannot read '${name}', only its own Node object`);
      }
    } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) {
      return ALLOW;
    }
    return noOpinion('');
  }

  async #pod(nodeName: string, a: AuthorizationAttributes): Promise<AuthorizationResult> {
    switch (a.subresource) {
      case '':
        if (a.verb === 'get') return this.#get(nodeName, 'pod', a);
        if (a.verb === 'list' || a.verb === 'watch') {
          if (fieldEquals(a.fieldSelector, 'spec.nodeName').includes(nodeName)) return ALLOW;
          if (a.name) return this.#related(nodeName, 'pod', a);
          return noOpinion('can only list/watch pods with spec.nodeName field selector');
        }
        // Mirror pods; NodeRestriction keeps them to pods bound to this node.
        if (a.verb === 'create' || a.verb === 'delete') return ALLOW;
        break;
      case 'status':
        if (a.verb === 'update' || a.verb === 'patch') return ALLOW;
        break;
      case 'eviction':
        if (a.verb === 'create') return ALLOW;
        break;
      default:
        break;
    }
    return noOpinion('');
  }
}

/**
 * The Node authorizer over the API server's watch cache: its graph is filled from the cache once
 * the cache is ready and follows it from then on. close() stops following.
 */
export function createNodeAuthorizer(cache: WatchCache): { authorizer: NodeAuthorizer; close(): void } {
  const graph = new Graph();
  let feed: { close(): void } | undefined;
  let closed = false;
  const ready = cache.whenReady().then(() => { if (!closed) feed = populateGraph(cache, graph); });
  const authorizer = new NodeAuthorizer({ graph, ready, sync: () => cache.sync() });
  return { authorizer, close: () => { closed = true; feed?.close(); } };
}
