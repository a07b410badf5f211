// A minimal ustar writer: enough to feed `docker import` an image root filesystem without a tar binary.

export type TarEntry =
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'file'; path: string; data: Buffer; mode?: number }
  | { type: 'symlink'; path: string; target: string };

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function header(path: string, size: number, mode: number, typeflag: string, linkname: string): Buffer {
  if (Buffer.byteLength(path) > 99 || Buffer.byteLength(linkname) > 99) throw new Error(`tar: path too long: ${path}`);
  const h = Buffer.alloc(512, 0);
  h.write(path, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(0, 12), 136, 12, 'ascii'); // mtime 0: the same input gives the same bytes
  h.write('        ', 148, 8, 'ascii'); // checksum is computed with this field as spaces
  h.write(typeflag, 156, 1, 'ascii');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257, 8, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return h;
}

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'dir') parts.push(header(e.path.endsWith('/') ? e.path : `${e.path}/`, 0, e.mode ?? 0o755, '5', ''));
    else if (e.type === 'symlink') parts.push(header(e.path, 0, 0o777, '2', e.target));
    else {
      parts.push(header(e.path, e.data.length, e.mode ?? 0o644, '0', ''), e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad, 0));
    }
  }
  parts.push(Buffer.alloc(1024, 0));
  return Buffer.concat(parts);
}
