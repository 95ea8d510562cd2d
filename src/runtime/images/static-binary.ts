// Whether an ELF executable is statically linked (has no PT_INTERP program header), so it can run
// in a rootfs holding nothing else. Debian's dynamic `busybox` and `busybox-static` share a path.
import { readFile } from 'node:fs/promises';

const PT_INTERP = 3;

export async function isStaticElf(path: string): Promise<boolean> {
  const elf = await readFile(path);
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46) return false;
  const is64 = elf[4] === 2;
  const little = elf[5] === 1;
  const u16 = (o: number): number => (little ? elf.readUInt16LE(o) : elf.readUInt16BE(o));
  const u32 = (o: number): number => (little ? elf.readUInt32LE(o) : elf.readUInt32BE(o));
  const phoff = is64 ? Number(little ? elf.readBigUInt64LE(0x20) : elf.readBigUInt64BE(0x20)) : u32(0x1c);
  const phentsize = u16(is64 ? 0x36 : 0x2a);
  const phnum = u16(is64 ? 0x38 : 0x2c);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > elf.length) return false;
    if (u32(at) === PT_INTERP) return false;
  }
  return true;
}
