/**
 * A raw WebSocket opening handshake over TCP/TLS, to see exactly what the server answers (status line and headers)
 * — browsers and WebSocket clients hide the 101. Used by `doctor` and the tests to check the subprotocol echo.
 */
export interface HandshakeResult {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  /** Values of Sec-WebSocket-Protocol in the answer (more than one is a server bug). */
  protocols: string[];
}

export async function rawHandshake(wsUrl: string, offer?: string[], timeoutMs = 5000): Promise<HandshakeResult> {
  const url = new URL(wsUrl);
  const tls = url.protocol === "wss:" || url.protocol === "https:";
  const port = Number(url.port || (tls ? 443 : 80));
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  const lines = [
    `GET ${url.pathname}${url.search} HTTP/1.1`,
    `Host: ${url.host}`,
    "Upgrade: websocket",
    "Connection: Upgrade",
    `Sec-WebSocket-Key: ${key}`,
    "Sec-WebSocket-Version: 13",
    ...(offer?.length ? [`Sec-WebSocket-Protocol: ${offer.join(", ")}`] : []),
    "",
    "",
  ];
  let received = "";
  return new Promise<HandshakeResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no handshake answer within ${timeoutMs} ms`)), timeoutMs);
    const finish = (socket: { end(): void }) => {
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return false;
      clearTimeout(timer);
      socket.end();
      const [statusLine, ...headerLines] = received.slice(0, end).split("\r\n");
      const m = statusLine!.match(/^HTTP\/1\.\d (\d{3}) ?(.*)$/);
      const headers = headerLines.map((l) => {
        const i = l.indexOf(":");
        return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
      });
      resolve({
        status: Number(m?.[1] ?? 0),
        statusText: m?.[2] ?? statusLine!,
        headers,
        protocols: headers.filter(([k]) => k === "sec-websocket-protocol").map(([, v]) => v),
      });
      return true;
    };
    Bun.connect({
      hostname: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      tls: tls ? { serverName: url.hostname } : undefined,
      socket: {
        open(socket) {
          socket.write(lines.join("\r\n"));
        },
        data(socket, chunk) {
          received += new TextDecoder().decode(chunk);
          finish(socket);
        },
        close() {
          clearTimeout(timer);
          if (!received.includes("\r\n\r\n")) reject(new Error("connection closed before a handshake answer"));
        },
        error(_socket, err) {
          clearTimeout(timer);
          reject(err);
        },
        connectError(_socket, err) {
          clearTimeout(timer);
          reject(err);
        },
      },
    }).catch(reject);
  });
}
