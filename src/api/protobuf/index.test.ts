import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject, isProtobufDecodeError, isProtobufMediaType } from './index.ts';
import { bytesField, envelope, mapEntry, messageField, varintField } from './wire-writer.ts';

// 2026-01-02T03:04:05Z
const CREATED = 1767323045;

/** ObjectMeta the way Go's marshaller writes it: every non-pointer field, zero or not. */
function objectMeta(name: string, extra: Buffer[] = []): Buffer {
  return Buffer.concat([
    bytesField(1, name), bytesField(2, ''), bytesField(3, 'default'), bytesField(4, ''), bytesField(5, ''), bytesField(6, ''),
    varintField(7, 0), messageField(8), ...extra,
  ]);
}

const quantity = (s: string): Buffer => bytesField(1, s);

function expectDecodeError(body: Buffer, pattern: RegExp, code: string): void {
  assert.throws(() => decodeProtobufObject(body), (err: unknown) => {
    assert.ok(isProtobufDecodeError(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

describe('decodeProtobufObject', () => {
  test('a ConfigMap with data and binaryData', () => {
    const raw = Buffer.concat([
      messageField(1, objectMeta('cfg')),
      mapEntry(2, 'greeting', 'hello'), mapEntry(2, 'empty', ''),
      mapEntry(3, 'blob', Buffer.from([0, 1, 2, 255])),
    ]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'ConfigMap', raw)), {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'cfg', namespace: 'default' },
      data: { greeting: 'hello', empty: '' },
      binaryData: { blob: 'AAEC/w==' },
    });
  });

  test('a Namespace, with empty spec and status left out', () => {
    const raw = Buffer.concat([
      messageField(1, bytesField(1, 'team-a'), messageField(8, varintField(1, CREATED)), mapEntry(11, 'env', 'prod')),
      messageField(2), messageField(3, bytesField(1, '')),
    ]);
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'Namespace', raw)), {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'team-a', creationTimestamp: '2026-01-02T03:04:05Z', labels: { env: 'prod' } },
    });
  });

  test('a Deployment with a container, ports, resources, an IntOrString surge and labels', () => {
    const labels = mapEntry(11, 'app', 'web');
    const container = Buffer.concat([
      bytesField(1, 'web'), bytesField(2, 'busybox'), bytesField(3, 'sleep'), bytesField(3, '3600'), bytesField(5, ''),
      messageField(6, bytesField(1, ''), varintField(2, 0), varintField(3, 80), bytesField(4, 'TCP'), bytesField(5, '')),
      messageField(8,
        messageField(1, bytesField(1, 'cpu'), messageField(2, quantity('500m'))),
        messageField(2, bytesField(1, 'memory'), messageField(2, quantity('64Mi')))),
      bytesField(13, ''), bytesField(14, 'IfNotPresent'), varintField(16, false), varintField(17, false), varintField(18, false),
      bytesField(20, ''),
    ]);
    const spec = Buffer.concat([
      varintField(1, 2),
      messageField(2, mapEntry(1, 'app', 'web')),
      messageField(3, messageField(1, objectMeta('', [labels])), messageField(2, messageField(2, container), bytesField(3, ''))),
      messageField(4, bytesField(1, 'RollingUpdate'), messageField(2,
        messageField(1, varintField(1, 0), varintField(2, 0), bytesField(3, '')),
        messageField(2, varintField(1, 1), varintField(2, 0), bytesField(3, '25%')))),
      varintField(5, 0), varintField(6, 10), varintField(7, false), varintField(9, 600),
    ]);
    const raw = Buffer.concat([
      messageField(1, objectMeta('web', [messageField(8, varintField(1, CREATED), varintField(2, 5)), labels])),
      messageField(2, spec),
      messageField(3, varintField(1, 0), varintField(2, 0)),
    ]);
    assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'Deployment', raw)), {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-02T03:04:05Z', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { namespace: 'default', labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'web', image: 'busybox', command: ['sleep', '3600'],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m' }, requests: { memory: '64Mi' } },
              imagePullPolicy: 'IfNotPresent',
            }],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    });
  });

  test('pointer fields keep their zero values; negative numbers and MicroTime survive', () => {
    const opts = Buffer.concat([varintField(1, 0), varintField(3, false), bytesField(4, 'Foreground'), bytesField(5, 'All')]);
    assert.deepEqual(decodeProtobufObject(envelope('meta.k8s.io/v1', 'DeleteOptions', opts)), {
      apiVersion: 'meta.k8s.io/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, orphanDependents: false,
      propagationPolicy: 'Foreground', dryRun: ['All'],
    });
    const event = Buffer.concat([
      messageField(1, bytesField(1, 'e1')),
      messageField(2, varintField(1, CREATED), varintField(2, 123_456_789)),
      varintField(15, -1),
    ]);
    assert.deepEqual(decodeProtobufObject(envelope('events.k8s.io/v1', 'Event', event)), {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e1' },
      eventTime: '2026-01-02T03:04:05.123456Z', deprecatedCount: -1,
    });
  });

  test('a volume source is inlined and an empty emptyDir is kept', () => {
    const pod = messageField(2, messageField(1, bytesField(1, 'scratch'), messageField(2, messageField(2))));
    assert.deepEqual(decodeProtobufObject(envelope('v1', 'Pod', pod)), {
      apiVersion: 'v1', kind: 'Pod', spec: { volumes: [{ name: 'scratch', emptyDir: {} }] },
    });
  });

  test('DeleteOptions are accepted under the group version of the resource', () => {
    assert.deepEqual(decodeProtobufObject(envelope('apps/v1', 'DeleteOptions', bytesField(4, 'Background'))), {
      apiVersion: 'apps/v1', kind: 'DeleteOptions', propagationPolicy: 'Background',
    });
  });

  test('an unknown field number is an error naming the message', () => {
    const raw = messageField(2, messageField(3, messageField(2, varintField(99, 1))));
    expectDecodeError(envelope('apps/v1', 'Deployment', raw), /^Cannot decode protobuf body: unknown field 99 in k8s\.io\.api\.core\.v1\.PodSpec$/, 'ERR_PROTOBUF_UNKNOWN_FIELD');
  });

  test('a wrong wire type is an error', () => {
    expectDecodeError(envelope('v1', 'ConfigMap', varintField(2, 1)), /field 2 \(data\) in k8s\.io\.api\.core\.v1\.ConfigMap has wire type 0/, 'ERR_PROTOBUF_MALFORMED');
  });

  test('a body without the k8s\\0 prefix is an error', () => {
    expectDecodeError(Buffer.from('{"kind":"ConfigMap"}'), /not a Kubernetes protobuf envelope \(missing k8s\\x00 prefix\)/, 'ERR_PROTOBUF_MALFORMED');
  });

  test('an unsupported kind is an error', () => {
    expectDecodeError(envelope('apps/v1', 'Foo', Buffer.alloc(0)), /kind apps\/v1, Kind=Foo is not supported in protobuf/, 'ERR_PROTOBUF_UNSUPPORTED');
  });

  test('a truncated body is an error', () => {
    const body = envelope('v1', 'ConfigMap', messageField(1, objectMeta('cfg')));
    expectDecodeError(body.subarray(0, body.length - 3), /Cannot decode protobuf body: /, 'ERR_PROTOBUF_MALFORMED');
  });
});

test('isProtobufMediaType', () => {
  assert.equal(isProtobufMediaType('application/vnd.kubernetes.protobuf'), true);
  assert.equal(isProtobufMediaType('Application/Vnd.Kubernetes.Protobuf; charset=binary'), true);
  assert.equal(isProtobufMediaType('application/json'), false);
  assert.equal(isProtobufMediaType(undefined), false);
});
