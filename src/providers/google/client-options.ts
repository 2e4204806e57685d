/**
 * Options for Google's gRPC clients: an emulator (plaintext, no credentials) when SPEECH_/TTS_EMULATOR_HOST is
 * set, else the service account from GOOGLE_APPLICATION_CREDENTIALS or GCP_CREDENTIALS_JSON.
 * `universeDomain` stops the client from probing the GCE metadata server (which costs a warning and a delay).
 */
import type { GoogleCredentials } from "../../config.ts";

export type GoogleClientOptions = Record<string, string | number | object | undefined>;

export async function googleClientOptions(emulatorHost: string | undefined, credentials: GoogleCredentials): Promise<GoogleClientOptions> {
  if (emulatorHost) {
    const { grpc } = await import("google-gax");
    const at = emulatorHost.lastIndexOf(":");
    return {
      apiEndpoint: emulatorHost.slice(0, at),
      port: Number(emulatorHost.slice(at + 1)),
      sslCreds: grpc.credentials.createInsecure(),
      universeDomain: "googleapis.com",
    };
  }
  switch (credentials.kind) {
    case "file":
      return { keyFilename: credentials.path };
    case "json":
      return { credentials: { client_email: credentials.clientEmail, private_key: credentials.privateKey }, projectId: credentials.projectId };
    default:
      throw new Error("Google credentials are not configured");
  }
}

/** Whether Google can be used at all (an emulator, or exactly one credential variable). */
export const googleConfigured = (emulatorHost: string | undefined, credentials: GoogleCredentials) =>
  Boolean(emulatorHost) || credentials.kind === "file" || credentials.kind === "json";
