// The envelope around every Kubernetes protobuf object: the 4-byte magic `k8s\0`, then a
// runtime.Unknown (typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3,
// contentType = 4). Mirrors k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go.
import { malformed, ProtobufDecodeError } from './errors.ts';
import { WIRE_BYTES, WireReader } from './wire.ts';

export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
  contentEncoding: string;
  contentType: string;
}

export function readEnvelope(body: Buffer): Envelope {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw malformed('not a Kubernetes protobuf envelope (missing k8s\\x00 prefix)');
  }
  const env: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0), contentEncoding: '', contentType: '' };
  const r = new WireReader(body.subarray(MAGIC.length));
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field > 4) {
      r.skip(wire);
      continue;
    }
    if (wire !== WIRE_BYTES) throw malformed(`field ${field} in k8s.io.apimachinery.pkg.runtime.Unknown has wire type ${wire}, expected 2`);
    if (field === 1) readTypeMeta(r.bytes(), env);
    else if (field === 2) env.raw = r.bytes();
    else if (field === 3) env.contentEncoding = r.string();
    else env.contentType = r.string();
  }
  if (env.contentEncoding !== '') {
    throw new ProtobufDecodeError('ERR_PROTOBUF_UNSUPPORTED', `content encoding "${env.contentEncoding}" is not supported`);
  }
  if (env.contentType !== '' && env.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ProtobufDecodeError('ERR_PROTOBUF_UNSUPPORTED', `embedded content type "${env.contentType}" is not supported`);
  }
  if (env.kind === '') throw malformed('the envelope names no kind');
  return env;
}

function readTypeMeta(buf: Buffer, env: Envelope): void {
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if ((field === 1 || field === 2) && wire === WIRE_BYTES) {
      if (field === 1) env.apiVersion = r.string();
      else env.kind = r.string();
    } else {
      r.skip(wire);
    }
  }
}
