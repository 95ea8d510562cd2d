// The one error selector parsing and validation throw; the API server answers it as 400 BadRequest.
export class SelectorParseError extends Error {
  readonly code = 'SelectorParse';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SelectorParseError';
  }
}

export const isSelectorParseError = (err: unknown): err is SelectorParseError => err instanceof SelectorParseError;
