// Reading a small file an operator points us at (a key, a token). The path may name anything:
// a plain readFile of /dev/zero or /dev/urandom never ends, of a FIFO waits for a writer that
// may never come, and of a huge file holds all of it in memory before any size check. So the
// file is opened without blocking, refused unless the opened descriptor is a regular file
// (checked on the descriptor itself, so the path cannot be swapped between check and read),
// and read only up to one byte past its cap: that byte is what tells "too large" from "at
// the cap".
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'
import type { Stats } from 'node:fs'
import { assert } from './assert.js'

// Without O_NONBLOCK, opening a FIFO for reading waits until something opens it for writing,
// possibly forever, before we could even look at what it is. It changes nothing for a
// regular file, which is all we go on to read.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

/** Why a file was refused. The message is a fragment ("a FIFO is not a regular file") for the caller's own wording. */
export class SmallFileRefused extends Error {
  constructor (readonly problem: 'not-a-regular-file' | 'too-large', message: string) {
    super(message)
    this.name = 'SmallFileRefused'
  }
}

/**
 * The whole file, if it is a regular file of at most maxBytes; SmallFileRefused if not.
 * Open and read errors (ENOENT, EACCES, ...) are thrown as they are. Synchronous: each caller
 * reads once, at start-up, a few KiB of a regular file (a FIFO is refused before any read),
 * and the CLI reads its token where it cannot wait on the event loop.
 */
export function readSmallFile (path: string, maxBytes: number): Buffer {
  checkCap(maxBytes)
  const fd = openSync(path, OPEN_FLAGS)
  try {
    const stats = fstatSync(fd)
    refuseUnlessRegular(stats)
    const buffer = Buffer.alloc(maxBytes + 1)
    let length = 0
    while (length < buffer.byteLength) {
      const bytesRead = readSync(fd, buffer, length, buffer.byteLength - length, null)
      if (bytesRead === 0) break
      length += bytesRead
    }
    return upToCap(buffer, length, maxBytes, stats)
  } finally {
    closeSync(fd)
  }
}

function checkCap (maxBytes: number): void {
  assert(Number.isSafeInteger(maxBytes) && maxBytes >= 0 && maxBytes < 1024 * 1024, 'a small file cap is 0 to 1 MiB', { maxBytes })
}

function refuseUnlessRegular (stats: Stats): void {
  if (stats.isFile()) return
  const kind = stats.isDirectory()
    ? 'a directory'
    : stats.isFIFO()
      ? 'a FIFO'
      : stats.isCharacterDevice()
        ? 'a character device'
        : stats.isBlockDevice() ? 'a block device' : stats.isSocket() ? 'a socket' : 'something special'
  throw new SmallFileRefused('not-a-regular-file', `${kind} is not a regular file`)
}

// The size fstat gave names the file in the message when it is over the cap; a file that
// grew after fstat, or one whose size the kernel does not know (under /proc), is "more than".
function upToCap (buffer: Buffer, length: number, maxBytes: number, stats: Stats): Buffer {
  if (length > maxBytes) {
    throw new SmallFileRefused('too-large', stats.size > maxBytes ? `${stats.size} bytes` : `more than ${maxBytes} bytes`)
  }
  return buffer.subarray(0, length)
}
