/** Admin-app roles, from most to least powerful. A module of its own so the CLI and routes need not load the schema. */
export const ROLES = ["owner", "admin", "agent"] as const;
export type Role = (typeof ROLES)[number];
