import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFINITIONS } from '../schema/index.ts';
import { allMessages, messageForKind } from './kinds.ts';
import type { MessageDef } from './table.ts';

// Fields upstream's wire format has (release-1.36) that skiff's schema does not describe yet.
const NEWER_THAN_SCHEMA = new Set([
  'meta.ListMeta.shardInfo', 'core.NodeStatus.declaredFeatures', 'core.PodSpec.schedulingGroup',
  'core.PodStatus.extendedResourceClaimStatus', 'core.PodStatus.nodeAllocatableResourceClaimStatuses',
  'core.VolumeMountStatus.volumeStatus', 'core.VolumeProjection.podCertificate',
]);

function jsonNames(def: MessageDef): string[] {
  return [...def.fields.values()].flatMap((f) => (f.inline && f.type.kind === 'message' ? jsonNames(f.type.message) : [f.json]));
}

test('every table row links and every JSON name is one skiff\'s schema knows', () => {
  const messages = allMessages();
  assert.ok(messages.size > 300);
  for (const [key, def] of messages) {
    const schema = DEFINITIONS[def.fullName.replace(/^k8s\.io\./, 'io.k8s.')];
    if (!schema) continue; // inlined parts and types newer than the schema
    const props = schema.properties ?? {};
    for (const name of jsonNames(def)) {
      if (NEWER_THAN_SCHEMA.has(`${key}.${name}`)) continue;
      assert.ok(name in props, `${def.fullName}: "${name}" is not in the schema`);
    }
  }
});

test('top-level kinds resolve by apiVersion and kind', () => {
  assert.equal(messageForKind('v1', 'ConfigMap')?.fullName, 'k8s.io.api.core.v1.ConfigMap');
  assert.equal(messageForKind('autoscaling/v2', 'HorizontalPodAutoscaler')?.fullName, 'k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler');
  assert.equal(messageForKind('events.k8s.io/v1', 'Event')?.fullName, 'k8s.io.api.events.v1.Event');
  assert.equal(messageForKind('policy/v1', 'DeleteOptions')?.fullName, 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions');
  assert.equal(messageForKind('apps/v1', 'ConfigMap'), undefined);
});
