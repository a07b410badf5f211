// Sockets this process holds open, read from /proc: a stream left behind is one more.
import { readdirSync, readlinkSync } from 'node:fs';

export const openSockets = (): number =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
