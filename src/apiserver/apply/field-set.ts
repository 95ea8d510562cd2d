// A set of field paths stored as a tree, as structured-merge-diff's fieldpath.Set
// (fieldpath/set.go): at each level the members (paths ending here) and the children
// (subtrees under a path element). Children are never kept empty.
import { comparePathElements, serializePathElement, type Path, type PathElement } from './path-element.ts';

interface Child { pe: PathElement; set: FieldSet }

export class FieldSet {
  readonly #members = new Map<string, PathElement>();
  readonly #children = new Map<string, Child>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    const last = path[path.length - 1]!;
    path.slice(0, -1).reduce<FieldSet>((cur, pe) => cur.#descend(pe), this).#members.set(serializePathElement(last), last);
  }

  /** Adds a member directly (used when decoding fieldsV1). */
  insertMember(pe: PathElement): void {
    this.#members.set(serializePathElement(pe), pe);
  }

  /** The child set under pe, created if missing (the caller must fill it). */
  descend(pe: PathElement): FieldSet {
    return this.#descend(pe);
  }

  #descend(pe: PathElement): FieldSet {
    const key = serializePathElement(pe);
    let c = this.#children.get(key);
    if (!c) {
      c = { pe, set: new FieldSet() };
      this.#children.set(key, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    const parent = path.slice(0, -1).reduce<FieldSet | undefined>((cur, pe) => cur?.withPrefix(pe), this);
    return parent?.hasMember(path[path.length - 1]!) ?? false;
  }

  hasMember(pe: PathElement): boolean {
    return this.#members.has(serializePathElement(pe));
  }

  /** The subtree under pe, or undefined when there is none. */
  withPrefix(pe: PathElement): FieldSet | undefined {
    const c = this.#children.get(serializePathElement(pe));
    return c && !c.set.isEmpty() ? c.set : undefined;
  }

  isEmpty(): boolean {
    if (this.#members.size > 0) return false;
    for (const c of this.#children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  /** Members and children in upstream's order (PathElement.Compare). */
  sortedMembers(): PathElement[] {
    return [...this.#members.values()].sort(comparePathElements);
  }

  sortedChildren(): Array<{ pe: PathElement; set: FieldSet }> {
    return [...this.#children.values()].filter((c) => !c.set.isEmpty()).sort((a, b) => comparePathElements(a.pe, b.pe));
  }

  /** Every path, members of a level before its children, as upstream's Set.Iterate. */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = this.sortedMembers().map((pe) => [...prefix, pe]);
    for (const c of this.sortedChildren()) out.push(...c.set.paths([...prefix, c.pe]));
    return out;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.#members) out.#members.set(k, pe);
    for (const [k, pe] of o.#members) out.#members.set(k, pe);
    for (const [k, c] of this.#children) {
      const oc = o.#children.get(k);
      out.#children.set(k, { pe: c.pe, set: oc ? c.set.union(oc.set) : c.set.union(new FieldSet()) });
    }
    for (const [k, c] of o.#children) if (!this.#children.has(k)) out.#children.set(k, { pe: c.pe, set: c.set.union(new FieldSet()) });
    return out.#compact();
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.#members) if (o.#members.has(k)) out.#members.set(k, pe);
    for (const [k, c] of this.#children) {
      const oc = o.#children.get(k);
      if (oc) out.#children.set(k, { pe: c.pe, set: c.set.intersection(oc.set) });
    }
    return out.#compact();
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.#members) if (!o.#members.has(k)) out.#members.set(k, pe);
    for (const [k, c] of this.#children) {
      const oc = o.#children.get(k);
      out.#children.set(k, { pe: c.pe, set: oc ? c.set.difference(oc.set) : c.set.union(new FieldSet()) });
    }
    return out.#compact();
  }

  /** Like difference, but also drops everything under a member of o (upstream's RecursiveDifference). */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, pe] of this.#members) if (!o.#members.has(k)) out.#members.set(k, pe);
    for (const [k, c] of this.#children) {
      if (o.#members.has(k)) continue;
      const oc = o.#children.get(k);
      out.#children.set(k, { pe: c.pe, set: oc ? c.set.recursiveDifference(oc.set) : c.set.union(new FieldSet()) });
    }
    return out.#compact();
  }

  /**
   * Makes every named field that has children a member too, so that removing it removes the
   * whole field (upstream's EnsureNamedFieldsAreMembers, used when pruning).
   */
  ensureNamedFieldsAreMembers(): FieldSet {
    const out = this.union(new FieldSet());
    for (const [k, c] of out.#children) {
      if (c.pe.kind === 'field') out.#members.set(k, c.pe);
      c.set = c.set.ensureNamedFieldsAreMembers();
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    return this.difference(o).isEmpty() && o.difference(this).isEmpty();
  }

  #compact(): FieldSet {
    for (const [k, c] of this.#children) if (c.set.isEmpty()) this.#children.delete(k);
    return this;
  }
}
