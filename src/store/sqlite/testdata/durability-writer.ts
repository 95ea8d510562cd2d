// Child process for the durability test: creates keys as fast as it can with several concurrent
// callers and prints "<key> <revision>" for each acknowledged write, until it is killed.
// (stdout to a pipe is synchronous on Linux, so a printed line means the ack happened.)

import { openSqliteStore } from '../sqlite-store.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: durability-writer.ts <db path>');
const store = openSqliteStore({ path });
let next = 0;

async function writer(): Promise<void> {
  for (;;) {
    const key = `/durable/${next++}`;
    const kv = await store.create(key, `value-${key}`);
    process.stdout.write(`${key} ${kv.modRevision}\n`);
  }
}

await Promise.all(Array.from({ length: 16 }, () => writer()));
