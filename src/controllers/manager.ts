// The controller manager: every controller on one shared clientset, run until the signal aborts.
import type { Logger } from 'pino';
import type { Clientset } from '../client/clientset.ts';
import type { Controller } from './controller.ts';
import { GarbageCollector } from './garbage-collector/garbage-collector.ts';
import { NamespaceController } from './namespace/namespace-controller.ts';
import { NodeIpamController } from './node-ipam/node-ipam-controller.ts';
import { PersistentVolumeController } from './persistentvolume/pv-controller.ts';
import { ServiceAccountsController } from './serviceaccount/serviceaccounts-controller.ts';
import { EndpointSliceController } from './endpointslice/endpointslice-controller.ts';
import { EndpointsController } from './endpoints/endpoints-controller.ts';

export function builtinControllers(cs: Clientset, log: Logger): Controller[] {
  return [
    new NamespaceController(cs, log), new GarbageCollector(cs, log), new NodeIpamController(cs, log),
    new PersistentVolumeController(cs, log), new ServiceAccountsController(cs, log),
    new EndpointSliceController(cs, log), new EndpointsController(cs, log),
  ];
}

export async function runControllers(cs: Clientset, log: Logger, signal: AbortSignal): Promise<void> {
  const controllers = builtinControllers(cs, log);
  cs.start(signal);
  await Promise.all(controllers.map(async (c) => {
    try {
      await c.run(signal);
    } catch (err) {
      if (!signal.aborted) log.error({ err, controller: c.name }, 'controller stopped');
    }
  }));
}
