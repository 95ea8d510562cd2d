// The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation): keeps the rules of
// every ClusterRole with an aggregationRule equal to the union of the ClusterRoles its selectors
// match, so `admin`, `edit` and `view` grow as roles labelled `rbac.authorization.k8s.io/aggregate-to-*`
// appear. Any ClusterRole change re-examines every aggregated role, as upstream does.
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { ClusterRole } from '../../api/types/rbac-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { aggregatedRules, sameRules } from '../../api/rbac/aggregation.ts';

export class ClusterRoleAggregationController implements Controller {
  readonly name = 'clusterrole-aggregation';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 30_000 });
  readonly #client: ResourceClient<ClusterRole>;
  #roles: Informer<ClusterRole> | undefined;

  constructor(cs: Clientset, log: Logger) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#client = cs.resource<ClusterRole>('rbac.authorization.k8s.io/v1', 'clusterroles');
  }

  async run(signal: AbortSignal): Promise<void> {
    const roles = this.#cs.informer<ClusterRole>({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false });
    this.#roles = roles;
    const enqueueAll = (): void => {
      for (const r of roles.values()) if (r.aggregationRule) this.#queue.add(r.metadata.name ?? '');
    };
    roles.addHandlers({ add: enqueueAll, update: enqueueAll, delete: enqueueAll });
    try {
      await roles.waitForSync(signal);
    } catch {
      return;
    }
    enqueueAll();
    await runWorkers(this.name, this.#queue, 1, (key) => this.sync(key), this.#log, signal);
  }

  async sync(name: string): Promise<void> {
    const roles = this.#roles;
    const role = roles?.get(name);
    if (!roles || !role?.aggregationRule) return;
    const rules = aggregatedRules(role, roles.values());
    if (sameRules(role.rules, rules)) return;
    try {
      await this.#client.update(undefined, { ...role, rules });
      this.#log.info({ name, rules: rules.length }, 'aggregated cluster role updated');
    } catch (err) {
      if (isNotFound(err)) return;
      // Changed meanwhile: the informer's next event brings it back.
      if (isConflict(err)) { this.#queue.addRateLimited(name); return; }
      throw err;
    }
  }
}
