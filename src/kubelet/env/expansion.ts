// `$(VAR)` expansion, as third_party/forked/golang/expansion/expand.go: `$$` is an escaped `$`,
// a reference to an unknown variable is left as written, an unterminated `$(` is copied as is.

/** Returns the value of a variable, or undefined when it is not defined. */
export type Lookup = (name: string) => string | undefined;

/** The mapping upstream's MappingFuncFor builds: look the name up in each context in turn. */
export function lookupIn(...contexts: ReadonlyArray<ReadonlyMap<string, string>>): Lookup {
  return (name) => {
    for (const ctx of contexts) {
      const v = ctx.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** Expands `$(NAME)` references in `input`; unknown names stay `$(NAME)`. */
export function expand(input: string, lookup: Lookup): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { text, isVar, advance } = readVariable(input.slice(cursor + 1));
    out += isVar ? (lookup(text) ?? `$(${text})`) : text;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

function readVariable(rest: string): { text: string; isVar: boolean; advance: number } {
  const first = rest[0] ?? '';
  if (first === '$') return { text: '$', isVar: false, advance: 1 };
  if (first === '(') {
    const close = rest.indexOf(')', 1);
    if (close !== -1) return { text: rest.slice(1, close), isVar: true, advance: close + 1 };
    return { text: '$(', isVar: false, advance: 1 };
  }
  return { text: `$${first}`, isVar: false, advance: 1 };
}
