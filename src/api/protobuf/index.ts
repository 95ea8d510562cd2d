// Request bodies in Kubernetes' protobuf encoding (`application/vnd.kubernetes.protobuf`), which
// kubectl 1.30+ uses for typed creates and deletes, decoded into the JSON-shaped objects the rest
// of skiff works with. Responses stay JSON: clients accept it.
import { decodeMessage } from './decode.ts';
import { readEnvelope } from './envelope.ts';
import { ProtobufDecodeError } from './errors.ts';
import { messageForKind } from './kinds.ts';

export { isProtobufDecodeError, ProtobufDecodeError } from './errors.ts';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export function isProtobufMediaType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  const env = readEnvelope(body);
  const def = messageForKind(env.apiVersion, env.kind);
  if (!def) {
    throw new ProtobufDecodeError('ERR_PROTOBUF_UNSUPPORTED', `kind ${env.apiVersion}, Kind=${env.kind} is not supported in protobuf`);
  }
  const obj: Record<string, unknown> = {};
  if (env.apiVersion) obj.apiVersion = env.apiVersion;
  obj.kind = env.kind;
  return Object.assign(obj, decodeMessage(def, env.raw));
}
