/**
 * A Bun macro (import it `with { type: "macro" }`): the git commit and the time, read when the code is bundled,
 * so a compiled binary carries the commit and build time it was made from.
 */
export function buildInfo(): { commit: string; builtAt: string } {
  let commit = "unknown";
  try {
    const out = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: import.meta.dir, stderr: "ignore" });
    if (out.exitCode === 0) commit = out.stdout.toString().trim() || commit;
  } catch {
    // no git on the build machine: keep "unknown"
  }
  return { commit, builtAt: new Date().toISOString() };
}
