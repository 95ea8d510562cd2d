// Duplicate keys in a JSON document (JSON.parse keeps the last one silently; strict decoding
// upstream reports `duplicate field "spec.paused"`). A small scanner over the text: it tracks the
// path of object keys and array indexes and never builds values; one pass, no recursion.

export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  // Each frame: keys seen in an object, or the next index in an array.
  const stack: Array<{ keys?: Set<string>; index?: number; path: string }> = [];
  let pendingKey: string | undefined;
  let i = 0;
  const n = text.length;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.keys) return top.path ? `${top.path}.${pendingKey ?? ''}` : (pendingKey ?? '');
    return `${top.path}[${top.index ?? 0}]`;
  };
  // Skips a string and returns its text only when asked (keys): values are never copied, and a key
  // without escapes is one slice, not a string built a character at a time.
  const readString = (decode: boolean): string => {
    const start = i;
    let escaped = false;
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) { escaped = true; i++; }
      i++;
    }
    i++; // closing quote
    if (!decode) return '';
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return text.slice(start + 1, i - 1);
    }
  };
  let expectKey = false;
  while (i < n) {
    const c = text[i]!;
    if (c === '{' || c === '[') {
      const path = childPath();
      stack.push(c === '{' ? { keys: new Set(), path } : { index: 0, path });
      expectKey = c === '{';
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === '"') {
      const top = stack[stack.length - 1];
      const isKey = expectKey && top?.keys !== undefined;
      const str = readString(isKey);
      if (isKey && top?.keys) {
        if (top.keys.has(str)) out.push(top.path ? `${top.path}.${str}` : str);
        top.keys.add(str);
        pendingKey = str;
        expectKey = false;
      }
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index = (top.index ?? 0) + 1;
      i++;
    } else {
      i++;
    }
  }
  return out;
}
