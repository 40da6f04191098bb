import * as fs from "node:fs";
import * as path from "node:path";

export default async function globalTeardown() {
  const pidFile = path.join(__dirname, ".run", "server.pid");
  if (fs.existsSync(pidFile)) {
    try {
      process.kill(Number(fs.readFileSync(pidFile, "utf8")), "SIGTERM");
    } catch {}
  }
  (globalThis as any).__porticoMailSink?.close();
}
