// Reading request bodies and writing responses: size limits, JSON/YAML decoding, Status answers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, inGoOrder, internalError, isStatusError, tooLarge, unsupportedMediaType, type StatusError } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';
import { decodeProtobufObject, isProtobufDecodeError, isProtobufMediaType } from '../api/protobuf/index.ts';
import { checkJsonDepth, checkValueBounds } from './json-bounds.ts';
import { decodeYaml } from './yaml-decode.ts';
import { OFF_THREAD_MIN_BYTES, yamlToJsonOffThread } from './yaml-off-thread.ts';

/** kube-apiserver's default limit for a request body (3 MiB; --max-request-bytes in etcd is 1.5 MiB per object). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) {
    req.resume();
    throw tooLarge(`the request body is too large: ${declared} bytes, limit is ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(`the request body is too large: more than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  return isYamlMediaType(mediaType(req.headers['content-type'])) ? await largeYamlAsJson(body) : body;
}

const YAML_MEDIA_TYPES = new Set(['application/yaml', 'application/apply-patch+yaml', 'text/yaml']);

function isYamlMediaType(type: string): boolean {
  return YAML_MEDIA_TYPES.has(type);
}

/**
 * A large YAML body (not JSON) becomes JSON text here, decoded off the event loop; decodeObject then
 * takes its JSON path (JSON is YAML). A value that is not an object is refused here, before the
 * JSON text could be parsed again as YAML.
 */
async function largeYamlAsJson(body: Buffer): Promise<Buffer> {
  if (body.length < OFF_THREAD_MIN_BYTES) return body;
  const text = body.toString('utf8');
  if (/^\s*\{/.test(text)) return body;
  const json = yamlToJsonOffThread(text);
  if (!json) return body;
  const out = await json;
  if (!out.startsWith('{')) throw badRequest(NOT_AN_OBJECT);
  return Buffer.from(out);
}

const NOT_AN_OBJECT = 'the request body must be a JSON or YAML object';

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Decode a JSON or YAML object body. Anything but a single object is a 400 naming the problem. */
export function decodeObject(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = mediaType(contentType);
  let value: unknown;
  if (body.length === 0) throw badRequest('the request body is empty: expected an object');
  if (type === '' || type === 'application/json' || type === '*/*') {
    // Depth first: everything after decoding (validation, strict fields, patches) recurses per level.
    checkJsonDepth(body);
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw badRequest(`the request body is not valid JSON: ${(err as Error).message.slice(0, 256)}`);
    }
  } else if (isYamlMediaType(type)) {
    value = decodeYaml(body.toString('utf8'));
  } else if (isProtobufMediaType(type)) {
    try {
      value = decodeProtobufObject(body);
    } catch (err) {
      if (isProtobufDecodeError(err)) throw badRequest(err.message);
      // Recursive messages (JSONSchemaProps) nested past the stack: the client's doing, not ours.
      if (err instanceof RangeError) throw badRequest('the request body is nested too deeply');
      throw err;
    }
    checkValueBounds(value);
  } else {
    throw unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got "${type}")`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest(NOT_AN_OBJECT);
  }
  return value as Record<string, unknown>;
}

/**
 * An object, list, Status or discovery document as kube-apiserver's JSON serializer writes it:
 * Go's json.Encoder, which ends every value with a newline (clients comparing bodies see it).
 */
export function writeJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  writeRaw(res, code, `${typeof body === 'string' ? body : JSON.stringify(body)}\n`, contentType);
}

/** A document upstream writes as plain bytes, with no trailing newline (/version, OpenAPI). */
export function writeJsonDocument(res: ServerResponse, code: number, body: string): void {
  writeRaw(res, code, body, 'application/json');
}

export function writeRaw(res: ServerResponse, code: number, body: string | Buffer, contentType: string): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': buf.length, 'Cache-Control': 'no-cache, private' });
  res.end(buf);
}

export function toStatusError(err: unknown): StatusError {
  return isStatusError(err) ? err : internalError(err);
}

export function writeStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Handlers may have added to a Status after building it.
  writeJson(res, status.code, inGoOrder(status));
}
