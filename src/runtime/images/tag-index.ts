// The tag index, `<root>/tags.json`: normalised reference → manifest digest. Rewritten whole and
// atomically on every change; callers serialise changes (ImageStore's mutex).
import { join } from 'node:path';
import { readJsonFile, writeFileAtomic } from './atomic-file.ts';
import { isDigest } from './digest.ts';
import { InvalidImage } from './errors.ts';

interface TagFile {
  version: 1;
  tags: Record<string, string>;
}

export class TagIndex {
  readonly path: string;

  constructor(root: string) {
    this.path = join(root, 'tags.json');
  }

  async read(): Promise<Map<string, string>> {
    const raw = await readJsonFile(this.path).catch((err: unknown) => {
      throw new InvalidImage(`Cannot read tag index "${this.path}": ${(err as Error).message}`, { cause: err });
    });
    const tags = new Map<string, string>();
    if (raw === undefined) return tags;
    const file = raw as Partial<TagFile>;
    if (typeof file !== 'object' || file === null || typeof file.tags !== 'object' || file.tags === null) {
      throw new InvalidImage(`Cannot read tag index "${this.path}": expected {"version":1,"tags":{…}}`);
    }
    for (const [name, digest] of Object.entries(file.tags)) {
      if (isDigest(digest)) tags.set(name, digest);
    }
    return tags;
  }

  async write(tags: Map<string, string>): Promise<void> {
    const sorted = [...tags.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const file: TagFile = { version: 1, tags: Object.fromEntries(sorted) };
    await writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`);
  }
}
