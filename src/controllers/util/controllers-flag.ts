// kube-controller-manager's --controllers (cmd/kube-controller-manager/app/controllermanager.go,
// IsControllerEnabled): a comma-separated list where `*` turns on every controller that is on by
// default, `NAME` turns one on and `-NAME` off. The first word naming a controller decides for it,
// and without `*` only the named controllers run. Names are upstream's (`replicaset-controller`)
// or their short aliases (`replicaset`), as upstream accepts both.

export class ControllersFlagError extends Error {
  readonly code = 'ControllersFlagError';
}

export interface ControllerSelection {
  /** Whether the controller named `name` (its short name) runs. */
  enabled(name: string): boolean;
}

export interface KnownControllers {
  /** Short names, as each Controller's `name`. */
  names: readonly string[];
  /** Other spellings → short name (upstream's aliases beyond the `-controller` suffix). */
  aliases?: Readonly<Record<string, string>>;
  /** Names that `*` does not turn on. */
  offByDefault?: readonly string[];
}

/** Parses the flag's value; an unknown name is an error, as upstream's validation rejects it. */
export function parseControllersFlag(value: string, known: KnownControllers): ControllerSelection {
  const decided = new Map<string, boolean>();
  let star = false;
  for (const raw of value.split(',')) {
    const w = raw.trim();
    if (w === '') continue;
    if (w === '*') {
      star = true;
      continue;
    }
    const off = w.startsWith('-');
    const name = canonical(off ? w.slice(1) : w, known);
    if (name === undefined) {
      throw new ControllersFlagError(`--controllers "${value}": "${off ? w.slice(1) : w}" is not a known controller (known: ${known.names.join(', ')})`);
    }
    if (!decided.has(name)) decided.set(name, !off);
  }
  return {
    enabled(name: string): boolean {
      const d = decided.get(name);
      if (d !== undefined) return d;
      return star && !(known.offByDefault ?? []).includes(name);
    },
  };
}

function canonical(word: string, known: KnownControllers): string | undefined {
  if (known.names.includes(word)) return word;
  const alias = known.aliases?.[word];
  if (alias !== undefined) return alias;
  const short = word.endsWith('-controller') ? word.slice(0, -'-controller'.length) : undefined;
  if (short !== undefined && known.names.includes(short)) return short;
  const aliased = short !== undefined ? known.aliases?.[short] : undefined;
  return aliased;
}
