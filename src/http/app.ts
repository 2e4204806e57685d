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
import { requireSession } from "./middleware/session.ts";
import { authRoutes } from "./routes/auth.ts";
import { callRoutes } from "./routes/calls.ts";
import { conversationRoutes } from "./routes/conversations.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { twilioWebhookRoutes } from "./routes/twilio-webhooks.ts";
import { healthRoutes } from "./routes/health.ts";
import { userRoutes } from "./routes/users.ts";
import { whatsappWebhookRoutes } from "./routes/whatsapp-webhooks.ts";
import { whatsappRoutes } from "./routes/whatsapp.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export function createApp(deps: HttpDeps, hooks: { settingsChanged?: () => void } = {}) {
  const app = new Hono<AppEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use(requestId(), requestLog());
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new AppError("payload_too_large", `request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.route("/", healthRoutes(deps));
  app.route("/api/auth", authRoutes(deps));
  app.route("/webhook", twilioWebhookRoutes(deps));
  app.route("/webhook/whatsapp", whatsappWebhookRoutes(deps));

  const api = new Hono<AppEnv>();
  api.use(requireSession(deps));
  api.route("/users", userRoutes(deps));
  api.route("/calls", callRoutes(deps));
  api.route("/settings", settingsRoutes(deps, hooks.settingsChanged));
  api.route("/whatsapp", whatsappRoutes(deps));
  api.route("/", conversationRoutes(deps));
  app.route("/api", api);
  return app;
}
