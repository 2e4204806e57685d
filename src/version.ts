/** What /version and `--version` report. DEPLOY_ID (env) wins; otherwise git commit + build time baked in at build. */
import pkg from "../package.json" with { type: "json" };
import { buildInfo } from "./build-info.ts" with { type: "macro" };

export interface VersionInfo {
  deployId: string;
  commit: string;
  builtAt: string;
  version: string;
}

const BUILT = buildInfo();

export function versionInfo(deployIdFromEnv?: string): VersionInfo {
  const stamp = BUILT.builtAt.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  return {
    deployId: deployIdFromEnv ?? `${BUILT.commit}-${stamp}`,
    commit: BUILT.commit,
    builtAt: BUILT.builtAt,
    version: pkg.version,
  };
}
