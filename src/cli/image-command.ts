// `skiff image …`: the node's image store (`<dataDir>/images`) by hand: pull from registries,
// import archives and OCI layouts, build the base images, list, inspect, remove and prune.
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ImageStore, createBaseImages, familiarReference, importImage, parseReference } from '../runtime/images/index.ts';
import type { ImageSummary } from '../runtime/images/index.ts';
import { createProgressPrinter, dockerConfigCredentials, pullImage } from '../runtime/images/pull/index.ts';
import type { Credentials } from '../runtime/images/pull/index.ts';

interface ImageFlags {
  dataDir?: string;
}

export function imageStoreRoot(dataDir: string | undefined): string {
  return join(resolve(dataDir ?? process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff'), 'images');
}

export function registerImageCommand(program: Command): void {
  const image = program.command('image')
    .description('Manage the node\'s image store: pull, import, create-base, ls, inspect, rm, prune')
    .option('--data-dir <dir>', 'skiff data directory (default: $SKIFF_DATA_DIR or /var/lib/skiff)');
  const open = async (): Promise<ImageStore> => ImageStore.open(imageStoreRoot(image.opts<ImageFlags>().dataDir));
  const print = (line: string): void => { process.stdout.write(`${line}\n`); };

  image.command('pull')
    .description('Pull an image from a registry over HTTPS (plain HTTP only for loopback registries: 127.0.0.0/8, localhost, [::1])')
    .argument('<ref>', 'e.g. busybox:1.36, 127.0.0.1:5000/team/app:v1, name@sha256:…')
    .option('--user <name:password>', 'registry credentials (default: those for the registry in $DOCKER_CONFIG/config.json or ~/.docker/config.json)')
    .action(async (ref: string, flags: { user?: string }) => {
      const store = await open();
      const credentials = flags.user !== undefined ? parseUserFlag(flags.user) : await dockerConfigCredentials(parseReference(ref).domain);
      const result = await pullImage(store, ref, { credentials, onProgress: createProgressPrinter(process.stderr) });
      print(`Pulled ${familiarReference(result.ref)} ${result.manifestDigest}`);
    });

  image.command('import')
    .description('Import an OCI image layout or docker-save archive (directory or tar)')
    .argument('<path>', 'archive file or directory')
    .option('--name <ref>', 'name the image (when the archive holds one)')
    .action(async (path: string, flags: { name?: string }) => {
      const store = await open();
      const images = await importImage(store, path, flags.name !== undefined ? { name: flags.name } : {});
      for (const i of images) print(`Imported ${i.names.map(familiarReference).join(', ')} ${i.digest}`);
    });

  image.command('create-base')
    .description('Build busybox:latest and pause:3.10 from Debian packages, without a registry')
    .action(async () => {
      const store = await open();
      for (const i of await createBaseImages(store)) print(`Created ${i.names.map(familiarReference).join(', ')} ${i.digest}`);
    });

  image.command('ls')
    .alias('list')
    .description('List images')
    .option('-q, --quiet', 'print manifest digests only')
    .action(async (flags: { quiet?: boolean }) => {
      const store = await open();
      const images = await store.listImages();
      if (flags.quiet) {
        for (const i of images) print(i.digest);
        return;
      }
      printTable(print, images);
    });

  image.command('inspect')
    .description('Show an image\'s manifest digest, config and layers as JSON')
    .argument('<ref>', 'name, name@digest or digest (prefix)')
    .action(async (ref: string) => {
      const store = await open();
      print(JSON.stringify(await store.inspectImage(ref), null, 2));
    });

  image.command('rm')
    .alias('remove')
    .description('Untag an image; its manifest and config go when no tag is left')
    .argument('<ref...>', 'names or digests')
    .action(async (refs: string[]) => {
      const store = await open();
      for (const ref of refs) {
        const r = await store.removeImage(ref);
        for (const n of r.untagged) print(`Untagged: ${familiarReference(n)}`);
        for (const d of r.deleted) print(`Deleted: ${d}`);
      }
    });

  image.command('prune')
    .description('Remove blobs and unpacked layers no image uses (containers\' layers are not known here: stop the node agent first)')
    .action(async () => {
      const store = await open();
      const r = await store.prune();
      print(`Removed ${r.blobs.length} blobs and ${r.snapshots.length} snapshots, reclaimed ${formatSize(r.reclaimedBytes)}`);
    });
}

/** `name:password` (the password may itself hold colons). */
function parseUserFlag(value: string): Credentials {
  const colon = value.indexOf(':');
  if (colon <= 0) throw new Error(`--user must be name:password, got "${value.includes(':') ? ':…' : value}"`);
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function printTable(print: (line: string) => void, images: ImageSummary[]): void {
  const body: string[][] = [];
  for (const i of images) for (const n of i.names) body.push([familiarReference(n), i.digest.slice(7, 19), formatSize(i.size)]);
  body.sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  const rows = [['REPOSITORY:TAG', 'DIGEST', 'SIZE'], ...body];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) print(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join(''));
}

function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
