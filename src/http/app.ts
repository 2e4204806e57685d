/**
 * The Hono application: web-standard Request → Response, testable with `app.request(path)` and no server.
 * Routes stay thin: validate → one service call → Response. The SPA and the media WebSocket are served by
 * Bun.serve itself (see server.ts).
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { AppError } from "../errors.ts";
import type { AppEnv, HttpDeps } from "./env.ts";
import { notFound, onError } from "./errors.ts";
import { requestLog } from "./middleware/request-log.ts";
import { securityHeaders } from "./security-headers.ts";
import { requireSession } from "./middleware/session.ts";
import { authRoutes } from "./routes/auth.ts";
import { adminSocketRoute, ADMIN_SOCKET_PATH } from "./admin-socket.ts";
import { callExportRoutes, callRoutes } from "./routes/calls.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { noteRoutes } from "./routes/notes.ts";
import { taskRoutes } from "./routes/tasks.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { statsRoutes } from "./routes/stats.ts";
import { twilioWebhookRoutes } from "./routes/twilio-webhooks.ts";
import { assetRoutes } from "./routes/assets.ts";
import { healthRoutes } from "./routes/health.ts";
import { paymentRoutes } from "./routes/payments.ts";
import { paymentPublicRoutes } from "./routes/payments-public.ts";
import { userRoutes } from "./routes/users.ts";
import { whatsappWebhookRoutes } from "./routes/whatsapp-webhooks.ts";
import { whatsappRoutes } from "./routes/whatsapp.ts";
import { testCallRoutes } from "./routes/test-calls.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: HttpDeps, hooks: { settingsChanged?: () => void } = {}) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(requestId(), requestLog(), securityHeaders());
  app.use(async (c, next) => {
    // client-ip.ts and the same-origin check read the trust settings from here
    c.set("deps", deps);
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("payload_too_large", `request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.route("/", healthRoutes(deps));
  app.route("/", assetRoutes());
  app.route("/api/auth", authRoutes(deps));
  app.route("/webhook", twilioWebhookRoutes(deps));
  // provider webhooks, buyers' return pages and the retired Stripe routes: no session (registered before the guard)
  app.route("/api/crm/payments", paymentPublicRoutes(deps));
  app.route(ADMIN_SOCKET_PATH, adminSocketRoute(deps, deps.adminHub));
  app.route("/webhook/whatsapp", whatsappWebhookRoutes(deps));

  const api = new Hono<AppEnv>();
  api.use(requireSession(deps));
  api.route("/users", userRoutes(deps));
  api.route("/calls", callRoutes(deps));
  api.route("/", callExportRoutes(deps));
  api.route("/contacts/:id{[0-9]+}/notes", noteRoutes(deps));
  api.route("/", contactRoutes(deps));
  api.route("/tasks", taskRoutes(deps));
  api.route("/stats", statsRoutes(deps));
  api.route("/settings", settingsRoutes(deps, hooks.settingsChanged));
  api.route("/crm/payments", paymentRoutes(deps));
  api.route("/whatsapp", whatsappRoutes(deps));
  api.route("/", conversationRoutes(deps));
  api.route("/test-calls", testCallRoutes(deps));
  app.route("/api", api);
  return app;
}
