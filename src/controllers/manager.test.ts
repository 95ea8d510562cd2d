import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { controllerUser } from '../api/rbac/controller-accounts.ts';
import { Clientset } from '../client/clientset.ts';
import { builtinControllers, CONTROLLER_NAMES, controllerSelection } from './manager.ts';

test('CONTROLLER_NAMES lists every built-in controller, so --controllers knows them all', () => {
  const cs = new Clientset({ server: 'https://127.0.0.1:1', namespace: 'default' });
  const names = builtinControllers(cs, pino({ level: 'silent' })).map((c) => c.name);
  assert.deepEqual([...names].sort(), [...CONTROLLER_NAMES].sort());
});

test('each controller is built with the client of its own name, and every name has a service account', () => {
  const cs = new Clientset({ server: 'https://127.0.0.1:1', namespace: 'default' });
  const asked: string[] = [];
  const controllers = builtinControllers(cs, pino({ level: 'silent' }), {}, (name) => { asked.push(name); return cs; });
  assert.deepEqual(asked, controllers.map((c) => c.name));
  for (const n of CONTROLLER_NAMES) assert.ok(controllerUser(n), n);
  assert.deepEqual(controllerUser('replicaset'), { name: 'system:serviceaccount:kube-system:replicaset-controller', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system'] });
});

test('--controllers=*,-replicaset switches the ReplicaSet controller off and nothing else', () => {
  const s = controllerSelection('*,-replicaset');
  assert.equal(s.enabled('replicaset'), false);
  for (const n of CONTROLLER_NAMES.filter((x) => x !== 'replicaset')) assert.equal(s.enabled(n), true, n);
  assert.equal(controllerSelection('*,-replicaset-controller').enabled('replicaset'), false);
  assert.throws(() => controllerSelection('*,-replicasets'), /"replicasets" is not a known controller/);
});

test('--controllers knows the pod GC by upstream\'s names (podgc, pod-garbage-collector-controller) and the disruption controller', () => {
  assert.equal(controllerSelection('*,-podgc').enabled('podgc'), false);
  assert.equal(controllerSelection('*,-pod-garbage-collector-controller').enabled('podgc'), false);
  assert.equal(controllerSelection('*,-disruption-controller').enabled('disruption'), false);
  assert.equal(controllerSelection('*').enabled('disruption'), true);
});
