/**
 * Tasks (mounted at /api/tasks): GET ?view=today|overdue|upcoming|open|done|all&assigneeId=me|none|N&contactId&kind
 * → {items, total, page, limit}; POST {title, dueAt?, contactId?, assigneeId?, notes?, kind?} → 201; GET /:id;
 * PATCH /:id {title?, dueAt?, contactId?, assigneeId?, notes?, done?}; DELETE /:id → 204. The callbacks callers
 * ask for on calls are tasks of kind "callback" (with `dueText`, the words they used, and `callSid`).
 */
import { Hono } from "hono";
import { taskCreateSchema, taskPatchSchema, taskQuerySchema } from "../../crm/tasks.ts";
import { audit, idParam, scopeOf } from "../actor.ts";
import { readJson, validate } from "../body.ts";
import type { AppEnv, HttpDeps } from "../env.ts";

export function taskRoutes(deps: HttpDeps) {
  const tasks = () => deps.services().tasks;
  return new Hono<AppEnv>()
    .get("/", (c) => c.json(tasks().list(validate(taskQuerySchema, c.req.query()), scopeOf(c))))
    .post("/", async (c) => {
      const task = tasks().create(await readJson(c, taskCreateSchema), scopeOf(c));
      audit(c, deps, "task.create", task.id, { contactId: task.contactId });
      return c.json(task, 201);
    })
    .get("/:id{[0-9]+}", (c) => c.json(tasks().get(idParam(c, "id"), scopeOf(c))))
    .patch("/:id{[0-9]+}", async (c) => {
      const id = idParam(c, "id");
      const body = await readJson(c, taskPatchSchema);
      const task = tasks().update(id, body, scopeOf(c));
      audit(c, deps, "task.update", id, { changed: Object.keys(body) });
      return c.json(task);
    })
    .delete("/:id{[0-9]+}", (c) => {
      const id = idParam(c, "id");
      const task = tasks().delete(id, scopeOf(c));
      audit(c, deps, "task.delete", id, { title: task.title });
      return c.body(null, 204);
    });
}
