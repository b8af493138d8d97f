// A local proxy that refuses everything and records what reached it. The browsers in the
// zero-network tests are pointed at it, so a request that escapes every other hook cannot
// leave the machine, and is counted. Shared by hostile.mjs (Chromium) and
// firefox-launch.mjs (Firefox).
import http from "node:http";

/** Starts the proxy: `{ hits, port, close }` (hits: each URL that reached it). */
export async function deadEndProxy() {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    res.writeHead(502).end();
  });
  server.on("connect", (req, socket) => {
    hits.push(`${req.url} (CONNECT)`);
    socket.on("error", () => {});
    socket.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
  });
  server.on("upgrade", (req, socket) => {
    hits.push(`${req.url} (upgrade)`);
    socket.destroy();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { hits, port: server.address().port, close: () => server.close() };
}
