/** GET/PUT /api/settings/business: what the agent knows and says (owner/admin to change). */
import { Hono } from "hono";
import { businessSettingsSchema } from "../../crm/settings.ts";
import { readJson } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";
import { requireRole } from "../middleware/session.ts";

export function settingsRoutes(deps: HttpDeps, onChange: () => void = () => {}) {
  return new Hono<AppEnv>()
    .get("/business", (c) => c.json(deps.services().settings.business()))
    .put("/business", requireRole("owner", "admin"), async (c) => {
      const body = await readJson(c, businessSettingsSchema);
      const saved = deps.services().settings.saveBusiness(body);
      deps.services().audit.record("settings.business", { actorId: c.get("user").id });
      onChange();
      return c.json(saved);
    });
}
