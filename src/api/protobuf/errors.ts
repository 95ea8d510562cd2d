// The one error a protobuf request body can raise; the API server answers it as 400 BadRequest.

export type ProtobufDecodeErrorCode = 'ERR_PROTOBUF_MALFORMED' | 'ERR_PROTOBUF_UNKNOWN_FIELD' | 'ERR_PROTOBUF_UNSUPPORTED';

export class ProtobufDecodeError extends Error {
  readonly code: ProtobufDecodeErrorCode;
  constructor(code: ProtobufDecodeErrorCode, detail: string, options?: { cause?: unknown }) {
    super(`Cannot decode protobuf body: ${detail}`, options);
    this.name = 'ProtobufDecodeError';
    this.code = code;
  }
}

export function isProtobufDecodeError(err: unknown): err is ProtobufDecodeError {
  return err instanceof ProtobufDecodeError;
}

export function malformed(detail: string, cause?: unknown): ProtobufDecodeError {
  return new ProtobufDecodeError('ERR_PROTOBUF_MALFORMED', detail, cause === undefined ? undefined : { cause });
}
