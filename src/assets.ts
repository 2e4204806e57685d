/**
 * What the binary ships from the top-level assets/ folder besides code. Each file is imported `with { type:
 * "file" }`, so `bun build --compile` embeds it (the path is then inside the executable, /$bunfs/…) and
 * `bun run` reads it from assets/ — the same code either way. The admin app's bundle takes the logo and the
 * favicon through its own imports (src/web); these serve them at fixed addresses for everything else.
 */
import faviconIco from "../assets/favicon.ico" with { type: "file" };
import faviconSvg from "../assets/favicon.svg" with { type: "file" };
import logoSvg from "../assets/logo.svg" with { type: "file" };

export interface Asset {
  path: string;
  type: string;
}

/** Served at the root: browsers and bookmarks ask for /favicon.ico whatever the page says. */
export const PUBLIC_ASSETS: Record<string, Asset> = {
  "/favicon.ico": { path: faviconIco, type: "image/x-icon" },
  "/favicon.svg": { path: faviconSvg, type: "image/svg+xml" },
  "/assets/logo.svg": { path: logoSvg, type: "image/svg+xml" },
};
