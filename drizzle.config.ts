import { defineConfig } from "drizzle-kit";

/** drizzle-kit reads this to generate SQL migrations from src/db/schema.ts (`bun run db:generate`). */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./src/db/migrations",
});
