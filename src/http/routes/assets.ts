/** GET /favicon.ico, /favicon.svg, /assets/logo.svg: the icon and logo embedded from assets/, cached for a day. */
import { Hono } from "hono";
import { PUBLIC_ASSETS } from "../../assets.ts";
import type { AppEnv } from "../env.ts";
import { NOTHING_CSP } from "../security-headers.ts";

export function assetRoutes() {
  const app = new Hono<AppEnv>();
  for (const [route, asset] of Object.entries(PUBLIC_ASSETS)) {
    app.get(route, async () => {
      const body = await Bun.file(asset.path).bytes();
      // an SVG is a document that could carry script: it runs nothing and loads nothing when opened directly
      return new Response(body, { headers: { "content-type": asset.type, "cache-control": "public, max-age=86400", "content-security-policy": NOTHING_CSP } });
    });
  }
  return app;
}
