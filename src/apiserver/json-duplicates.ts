// Duplicate keys in a JSON document (JSON.parse keeps the last one silently; strict decoding
// upstream reports `duplicate field "spec.paused"`). A small scanner over the text: it tracks the
// path of object keys and array indexes and never builds values.

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
  const readString = (): string => {
    let s = '';
    i++; // opening quote
    while (i < n) {
      const c = text[i]!;
      if (c === '"') { i++; return s; }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') { s += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16)); i += 6; continue; }
        s += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === 'b' ? '\b' : e === 'f' ? '\f' : (e ?? '');
        i += 2;
        continue;
      }
      s += c;
      i++;
    }
    return s;
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
      const str = readString();
      if (expectKey && top?.keys) {
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
