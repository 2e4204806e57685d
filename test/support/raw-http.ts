/**
 * One HTTP/1.1 request over a TCP socket bound to a chosen loopback source address (127.0.0.2, 127.0.0.3, …), so a
 * test can be several clients with different addresses — what the server sees as the socket peer.
 */
import net from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function requestFrom(localAddress: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  const u = new URL(url);
  const body = init.body ?? "";
  const headers: Record<string, string> = { host: u.host, connection: "close", "content-length": String(Buffer.byteLength(body)), ...init.headers };
  const head = `${init.method ?? "GET"} ${u.pathname}${u.search} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n")}\r\n\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port), localAddress });
    const chunks: Buffer[] = [];
    socket.on("connect", () => socket.write(head + body));
    socket.on("data", (d) => chunks.push(Buffer.from(d)));
    socket.on("error", reject);
    socket.on("close", () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf("\r\n\r\n");
      const [statusLine = "", ...lines] = all.subarray(0, split).toString("latin1").split("\r\n");
      const parsed: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(":");
        if (i > 0) parsed[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let payload = all.subarray(split + 4);
      // chunked: keep the data, drop the chunk sizes (sizes count bytes, so this works on the Buffer)
      if (parsed["transfer-encoding"] === "chunked") {
        const parts: Buffer[] = [];
        for (let at = 0; at < payload.length; ) {
          const nl = payload.indexOf("\r\n", at);
          const size = parseInt(payload.subarray(at, nl).toString("latin1"), 16);
          if (!size) break;
          parts.push(payload.subarray(nl + 2, nl + 2 + size));
          at = nl + 2 + size + 2;
        }
        payload = Buffer.concat(parts);
      }
      resolve({ status: Number(statusLine.split(" ")[1]), headers: parsed, body: payload.toString("utf8") });
    });
  });
}
