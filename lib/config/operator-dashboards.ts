/**
 * How big a GrafanaDashboard may be, and how its JSON goes in: `spec.json`, or `spec.gzipJson` (base64
 * of gzip) once the JSON would crowd kubectl's client-side apply, which copies the whole object into
 * the `kubectl.kubernetes.io/last-applied-configuration` annotation, and all of an object's
 * annotations together hold at most 256 KiB (apimachinery's TotalAnnotationSizeLimitB).
 */
import { gzipSync } from 'zlib';
import { ConfigProblem, quote } from './problems';
import { HIDDEN_PANEL_RESERVE_BYTES } from './dashboards';
import { ResolvedInstallation } from './schema';

/** The most bytes all annotations of one object may take (keys and values). */
export const MAX_ANNOTATION_BYTES = 262144;

/** The annotation kubectl's client-side apply writes: its key counts against the limit too. */
const LAST_APPLIED_KEY = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * A dashboard whose JSON takes more than this in the last-applied annotation (as a JSON string, the
 * way Go's encoding/json escapes it) goes as `spec.gzipJson`. 64 KiB stay for the rest of the object
 * and for what GitOps controllers add (Argo CD's tracking annotation is in its last-applied copy too).
 */
export const GZIP_JSON_THRESHOLD_BYTES = 192 * 1024;

/** Characters Go's encoding/json escapes as `\u00XX` (HTML-safe output), which JSON.stringify leaves raw. */
const GO_HTML_ESCAPED = /[<>&\u2028\u2029]/g;

/**
 * Bytes of `value` as Go's encoding/json writes it (kubectl's last-applied annotation): JSON.stringify's
 * UTF-8 plus Go's `\u003c` for `<`, `>`, `&` (1 byte raw) and `\u2028`, `\u2029` (3 bytes raw).
 */
export function goJsonBytes(value: unknown): number {
  const text = JSON.stringify(value);
  let extra = 0;
  for (const [c] of text.matchAll(GO_HTML_ESCAPED)) extra += c.length === 1 && c.charCodeAt(0) < 0x80 ? 5 : 3;
  return Buffer.byteLength(text) + extra;
}

/** Bytes the last-applied annotation of `object` takes: key, value and kubectl's trailing newline. */
export function lastAppliedAnnotationBytes(object: unknown): number {
  return LAST_APPLIED_KEY.length + goJsonBytes(object) + 1;
}

/**
 * `text` gzipped (level 9) and base64-encoded, byte-identical on every run and platform zlib is built
 * for: no file name, modification time 0, and the OS byte set to 3 (Unix), which zlib otherwise takes
 * from the platform it was compiled on.
 */
export function gzipBase64(text: string): string {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  gz.writeUInt32LE(0, 4);
  gz[9] = 3;
  return gz.toString('base64');
}

/** Gzipped sizes of dashboard files, each file compressed once however many installations list it. */
const gzippedBytes = new WeakMap<object, number>();

/**
 * Dashboards of operator installations that cannot fit the annotation limit even gzipped (JSON
 * compresses about tenfold, but an embedded image hardly shrinks). The construct checks the exact
 * object; this says it at the config path, before anything is built.
 */
export function operatorDashboardProblems(installations: readonly ResolvedInstallation[]): ConfigProblem[] {
  return installations.flatMap((inst, i) => inst.grafana.provisioning !== 'operator' ? [] : inst.dashboards.flatMap((d, j) => {
    // The file's JSON as the GrafanaDashboard will hold it, but for the hidden panel (HIDDEN_PANEL_RESERVE_BYTES).
    const text = `${JSON.stringify(d.dashboard, null, 2)}\n`;
    if (goJsonBytes(text) <= GZIP_JSON_THRESHOLD_BYTES) return [];
    let bytes = gzippedBytes.get(d.dashboard);
    if (bytes === undefined) {
      bytes = gzipBase64(text).length;
      gzippedBytes.set(d.dashboard, bytes);
    }
    const room = MAX_ANNOTATION_BYTES - HIDDEN_PANEL_RESERVE_BYTES;
    return bytes <= room ? [] : [{
      path: `installations[${i}].dashboards[${j}]`,
      message: `file ${quote(d.file)} takes ${bytes} bytes gzipped and base64-encoded in its GrafanaDashboard's spec.gzipJson; allowed: at most `
        + `${room} (kubectl apply copies the object into an annotation, and an object's annotations hold at most ${MAX_ANNOTATION_BYTES} bytes): `
        + 'move large content such as embedded images out of the dashboard',
    }];
  }));
}
