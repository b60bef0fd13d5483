/**
 * Synthesizing installations to files from code: the same files, through the same path, as the
 * app behind `cdk8s synth` (lib/app/synth-app.ts).
 */
import { ResolvedConfig } from '../config/resolve';
import { ResolvedInstallation } from '../config/schema';
import { StagedOutput } from '../output/files';
import { OutputFolderRefused, outputFolderProblem, protectedFolders } from '../output/output-folder';
import { commitRendered, RenderedInstallation, renderInstallations } from './render';
import { CONFIG_OUTPUT_WRITERS, OutputOptions, outputWriters } from './writers';

export interface SynthToDirectoryOptions extends OutputOptions {
  /** Installations per cdk8s App (see `synthesize`). @default 10 */
  readonly chartsPerApp?: number;
}

/**
 * Writes what `cdk8s synth` writes for a config into `outdir`: `<name>.k8s.yaml`, `helm/<name>/`
 * and `grafana/<name>/values.yaml` per installation, and the GitOps files of a config with a
 * `gitops` block (pass the whole config: `loadAnalyticsConfig`, `resolveAnalyticsConfig`). All or nothing: the files are
 * staged beside `outdir`, which is replaced only when every installation succeeded; on any error
 * `outdir` is left as it was. The folder must be new, or one this library wrote (it holds
 * `.cdk8s-grafana-analytics`), and hold none of the user's own files. Throws ConfigError when two
 * installations would create the same object, OutputFolderRefused for such a folder.
 * Returns each installation's objects and files (paths relative to `outdir`), in input order.
 */
export function synthToDirectory(
  config: ResolvedConfig | readonly ResolvedInstallation[], outdir: string, options: SynthToDirectoryOptions,
): RenderedInstallation[] {
  const whole: ResolvedConfig | undefined = 'installations' in config ? config : undefined;
  const installations = whole ? whole.installations : config as readonly ResolvedInstallation[];
  const refused = outputFolderProblem(outdir, protectedFolders());
  if (refused) throw new OutputFolderRefused(outdir, refused);
  const staged = StagedOutput.begin(outdir);
  try {
    const rendered = renderInstallations(installations, {
      writers: outputWriters(options), chartsPerApp: options.chartsPerApp, stagingDir: staged.dir,
    });
    commitRendered(staged, rendered, outdir, undefined, whole ? CONFIG_OUTPUT_WRITERS.flatMap(w => w(whole)) : []);
    return rendered;
  } catch (e) {
    staged.discard();
    throw e;
  }
}
