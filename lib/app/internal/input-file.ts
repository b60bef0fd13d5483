/**
 * Reading an input file (the config, a dashboard) that may be anything: a FIFO, a device, a
 * huge or deeply nested file. Each limit is checked before the work it protects.
 */
import * as fs from 'fs';

/**
 * Reads a regular file of at most `maxBytes` bytes as UTF-8, or says why it will not: anything
 * but a regular file, a larger file, a read error. The file is opened without blocking (a FIFO
 * would wait forever for a writer) and checked through the open descriptor, so a file swapped
 * between check and read is checked too; reading stops one byte past the limit (`/dev/zero`
 * or a file still growing never ends).
 */
export function readInputFile(file: string, maxBytes: number): { text: string } | { problem: string; tooLarge?: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    return { problem: `cannot be read: ${errorText(e)}` };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) return { problem: `is ${fileKind(stat)}; allowed: a regular file` };
    if (stat.size > maxBytes) return { problem: `is ${stat.size} bytes; allowed: at most ${maxBytes}`, tooLarge: true };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length <= maxBytes;) {
      n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      length += n;
    }
    if (length > maxBytes) return { problem: `grew past ${maxBytes} bytes while it was read; allowed: at most ${maxBytes}`, tooLarge: true };
    return { text: buffer.toString('utf8', 0, length) };
  } catch (e) {
    return { problem: `cannot be read: ${errorText(e)}` };
  } finally {
    fs.closeSync(fd);
  }
}

function fileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** An I/O error's code and message, without the stack: the user's file, not a bug. */
export function errorText(e: unknown): string {
  const message = (e as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : String(e);
}

/**
 * The deepest nesting of `[`/`{` in JSON text, counted without recursion (JSON.stringify and
 * every tree walk after the parse recurse, and overflow the stack some thousand levels down).
 * Brackets inside strings do not count.
 */
export function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

/**
 * An upper bound of the nesting of YAML flow collections (`[`, `{`), counted without recursion:
 * the yaml package parses recursively, and 100,000 levels exhaust its memory. Quotes are not
 * tracked (a YAML plain scalar may hold a lone `'`), so a bracket in a string counts too; the
 * limit it is held to is far above any real config. Block nesting needs an indentation per
 * level, so the config's size limit bounds it.
 */
export function yamlFlowNestingBound(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) {
      depth--;
    }
  }
  return max;
}
