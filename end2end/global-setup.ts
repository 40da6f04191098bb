import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { SMTPServer } from "smtp-server";

const root = path.resolve(__dirname, "..");
const runDir = path.join(__dirname, ".run");
const port = 3100;

// A real SMTP server on loopback that writes every message it receives into .run/mail/.
function startMailSink(): Promise<number> {
  const mailDir = path.join(runDir, "mail");
  fs.mkdirSync(mailDir, { recursive: true });
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        fs.writeFileSync(path.join(mailDir, `${Date.now()}-${n++}.eml`), Buffer.concat(chunks));
        callback();
      });
    },
  });
  (globalThis as any).__porticoMailSink = server;
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.server.address();
      resolve(typeof address === "object" && address ? address.port : 0);
    });
  });
}

async function waitForHealth(url: string) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("Portico did not become healthy");
}

/// The next weekday after today (UTC), configured as a clinic holiday so the browser test of
/// the promised reply date also sees a holiday skipped.
function nextWeekday(): string {
  const day = new Date();
  do day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() === 0 || day.getUTCDay() === 6);
  return day.toISOString().slice(0, 10);
}

export default async function globalSetup() {
  fs.rmSync(runDir, { recursive: true, force: true });
  fs.mkdirSync(runDir, { recursive: true });
  const smtpPort = await startMailSink();
  // `make test` points this at the server its test build already made (the same code, built
  // once): what the browser tests need in release form is the wasm, which the release site
  // under target/site holds. `make e2e` uses the release server.
  const binary = path.resolve(root, process.env.PORTICO_E2E_BINARY ?? "target/release/portico");
  const env = {
    ...process.env,
    PORTICO_DATABASE_URL: `sqlite://${path.join(runDir, "e2e.db")}`,
    PORTICO_AUDIT_KEY_FILE: path.join(runDir, "audit.key"),
    PORTICO_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORTICO_SMTP_URL: `smtp://127.0.0.1:${smtpPort}?tls=none`,
    PORTICO_ORG_NAME: "Portico Test Clinic",
    PORTICO_HOLIDAYS: nextWeekday(),
    // A clinic in a state that keeps the medication list from parents of teens (the default
    // keeps every section): 09-proxy checks the narrower view.
    PORTICO_TEEN_PROXY_SECTIONS: "home,visits,results,health-summary,reminders,messages",
    // The clinic's other numbers and online scheduling (06, 07 and 08 check where they show).
    PORTICO_DEPARTMENT_PHONES: "Portico Family Medicine=+1 555 0110; Endocrinology=+1 555 0120",
    PORTICO_BILLING_PHONE: "+1 555 0130",
    PORTICO_RECORDS_PHONE: "+1 555 0140",
    PORTICO_SCHEDULING_URL: "https://scheduling.example.org/portico",
    PORTICO_PRIVACY_NOTICE: "demo/notice-of-privacy-practices.pdf",
    PORTICO_PAYMENTS: "test",
    PORTICO_BILLING_PLAN_MINIMUM: "50.00",
    RUST_LOG: "warn",
  };
  execFileSync(binary, ["migrate"], { env, cwd: root });
  const seedOutput = execFileSync(binary, ["seed", "--demo"], { env, cwd: root }).toString();
  const code = seedOutput.match(/Demo activation code for .*: ([0-9A-Z-]{17})/)?.[1];
  if (!code) throw new Error(`no activation code in seed output:\n${seedOutput}`);
  process.env.PORTICO_DEMO_CODE = code;
  // A staff account as an administrator makes one: its printed password is replaced at
  // the first sign-in (11-account).
  const created = execFileSync(binary, ["admin", "create-staff", "new.clerk", "--role", "support", "--name", "New Clerk"], { env, cwd: root }).toString();
  const firstPassword = created.match(/First password, shown once: (\S+)/)?.[1];
  if (!firstPassword) throw new Error(`no first password in:\n${created}`);
  process.env.PORTICO_NEW_STAFF_PASSWORD = firstPassword;
  process.env.PORTICO_MAIL_DIR = path.join(runDir, "mail");
  process.env.PORTICO_HOLIDAYS = env.PORTICO_HOLIDAYS;

  const server = spawn(binary, ["serve", "--addr", `127.0.0.1:${port}`, "--site-root", "target/site"], {
    env,
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  fs.writeFileSync(path.join(runDir, "server.pid"), String(server.pid));
  await waitForHealth(`http://127.0.0.1:${port}`);
}
