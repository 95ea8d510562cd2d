// A4: the union filesystem. Deleting an image file in one container leaves an overlay whiteout in
// that container's upper layer only; another container of the same image still has the file; both
// mount the same lower layer directory; the image's layers and digest never change.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { containerPaths } from '../../src/runtime/container-record.ts';
import { makeEngineEnv } from './engine-helpers.ts';
import type { EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;

before(async () => {
  t = await makeEngineEnv('layers');
});
after(async () => {
  await t.cleanup();
});

function overlayOptions(target: string): string {
  const line = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === target);
  assert.ok(line, `no mount at ${target}`);
  return line.split(' - ')[1] ?? '';
}

test('whiteouts stay in the container; lower layers are shared; the image never changes', async () => {
  const a = await t.engine.run({ image: 'busybox', name: 'a', args: ['sh', '-c', 'rm /bin/vi && echo new > /etc/motd && echo done; exec sleep 300'] });
  const b = await t.engine.run({ image: 'busybox', name: 'b', args: ['sleep', '300'] });
  try {
    const image = await t.engine.images.inspectImage('busybox');
    const [layer] = await t.engine.images.rootfsLayers('busybox');
    assert.ok(layer);
    const before = statSync(join(layer, 'bin', 'vi'));
    for (let i = 0; i < 100; i++) {
      const st = await t.engine.containers.exec(a.id, ['sh', '-c', 'test -e /bin/vi || echo gone']);
      if (st.stdout.toString().includes('gone')) break;
    }
    // Container a: the file is gone, as a 0:0 character device in its upper dir.
    const upper = join(containerPaths(t.dataDir, a.id).overlayState, 'upper');
    const wh = statSync(join(upper, 'bin', 'vi'));
    assert.ok(wh.isCharacterDevice(), 'whiteout is a character device');
    assert.equal(wh.rdev, 0);
    assert.equal(readFileSync(join(upper, 'etc', 'motd'), 'utf8'), 'new\n');
    // Container b still has it and does not see a's new file.
    const inB = await t.engine.containers.exec(b.id, ['sh', '-c', 'ls /bin/vi; test -e /etc/motd && echo motd || echo no-motd']);
    assert.equal(inB.stdout.toString(), '/bin/vi\nno-motd\n');
    // Both overlays stack the same lower directory; nothing was copied per container.
    const optsA = overlayOptions(containerPaths(t.dataDir, a.id).rootfs);
    const optsB = overlayOptions(containerPaths(t.dataDir, b.id).rootfs);
    const lower = (o: string): string => /lowerdir=([^,]+)/.exec(o)?.[1] ?? '';
    assert.equal(lower(optsA), layer);
    assert.equal(lower(optsB), layer);
    assert.ok(!existsSync(join(containerPaths(t.dataDir, b.id).overlayState, 'upper', 'bin')), 'b copied nothing up');
    // The image: same digest, the layer's file untouched.
    const after = statSync(join(layer, 'bin', 'vi'));
    assert.equal(after.ino, before.ino);
    assert.equal(after.mtimeMs, before.mtimeMs);
    assert.equal((await t.engine.images.inspectImage('busybox')).digest, image.digest);
    // A third container from the image has the file again.
    const c = await t.engine.run({ image: 'busybox', args: ['ls', '/bin/vi'] });
    await t.engine.wait(c.id);
    let out = '';
    for await (const l of t.engine.containers.readLogs(c.id)) out += l.content;
    assert.equal(out, '/bin/vi');
    await t.engine.removeContainer(c.id);
    // Disk usage: the layer is stored once whatever the number of containers.
    const du = execFileSync('du', ['-sx', '--apparent-size', '-B1', join(t.dataDir, 'containers')]).toString();
    assert.ok(Number(du.split('\t')[0]) < 2 * 1024 * 1024, `containers take ${du}`);
  } finally {
    await t.engine.removeContainer(a.id, { force: true });
    await t.engine.removeContainer(b.id, { force: true });
  }
});
