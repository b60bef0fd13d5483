/** Sizes: Kubernetes memory quantities and nginx sizes in bytes, and the server cache that fits a memory limit. */

/** Bytes of a Kubernetes memory quantity in Ki, Mi or Gi, or of an nginx size (k, m, or bytes). */
export function bytesOf(size: string): number {
  const m = /^([0-9]+)(Ki|Mi|Gi|k|m)?$/.exec(size);
  if (!m) throw new Error(`size got "${size}"; allowed: a number with Ki, Mi, Gi, k or m`);
  const unit = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1024, m: 1024 ** 2 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

/**
 * The most sessions the server may cache within its memory limit. The cache keeps whole payloads,
 * each at most the write path's body limit as JSON and about twice that decoded into Go values;
 * half the limit is left to the Go runtime (GOGC=100 lets the heap reach twice the live data). A
 * cache that outgrows the limit is OOM-killed, which loses it like a flush but also the views
 * since the last scrape of every flush-free minute before: a flush costs less.
 */
export function maxCacheSizeFor(memoryLimit: string, maxBodySize: string): number {
  return Math.max(1, Math.floor(bytesOf(memoryLimit) / 2 / (2 * bytesOf(maxBodySize))));
}
