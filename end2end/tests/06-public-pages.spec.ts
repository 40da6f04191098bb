import { test, expect, hydrated, expectAccessible, DEMO_PASSWORD } from "./helpers";

for (const path of ["/signin", "/enroll", "/forgot-password", "/help", "/contact", "/privacy", "/no-such-page"]) {
  test(`${path} is accessible and says what an emergency needs`, async ({ page }) => {
    const res = await page.goto(path);
    expect(res!.headers()["cache-control"]).toBe("no-store");
    expect(res!.headers()["content-security-policy"]).toContain("'nonce-");
    await hydrated(page);
    await expect(page.getByText("Do not use Portico for emergencies: call 911.").first()).toBeVisible();
    await expect(page.getByText("988").first()).toBeVisible();
    await expectAccessible(page);
  });
}

test("the contact page shows the configured organisation", async ({ page }) => {
  await page.goto("/contact");
  await expect(page.getByText("Portico Test Clinic").first()).toBeVisible();
  await expect(page.getByRole("link", { name: "+1 555 0100" })).toBeVisible();
});

test("Spanish: chosen from the browser, and switchable", async ({ browser }) => {
  const context = await browser.newContext({ locale: "es-ES" });
  const page = await context.newPage();
  await page.goto("/signin");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Iniciar sesión en Portico" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "es");
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Portico" })).toBeVisible();
  await context.close();
});

test("without JavaScript the sign-in page fetches no script or wasm, and signs in", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const assets: string[] = [];
  page.on("request", (r) => assets.push(new URL(r.url()).pathname));
  await page.goto("/signin");
  expect(assets.filter((p) => /\.(js|wasm)$/.test(p))).toEqual([]);
  // A wrong password comes back to the form with the message.
  await page.getByLabel("Username").fill("avery");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("The username or password is incorrect.")).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);
  // The language buttons work as a plain form too.
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { name: "Iniciar sesión en Portico" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await page.getByLabel("Username").fill("avery");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { name: "Welcome, Avery" })).toBeVisible();
  await context.close();
});

test("a wrong password and an unknown user get the same answer", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  for (const user of ["avery", "nobody-here"]) {
    await page.getByLabel("Username").fill(user);
    await page.getByLabel("Password").fill("not the password at all");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByText("The username or password is incorrect.")).toBeVisible();
  }
});

test("the app shell is served precompressed and revalidated, never stored with PHI", async ({ request }) => {
  const wasm = await request.get("/pkg/portico.wasm", { headers: { "Accept-Encoding": "br" } });
  expect(wasm.headers()["content-encoding"]).toBe("br");
  expect(wasm.headers()["cache-control"]).toBe("no-cache");
  // The service worker's cache list holds only static files: no page, no server function.
  const sw = await (await request.get("/sw.js")).text();
  const shell = JSON.parse(sw.match(/const SHELL = (\[[^\]]*\])/)![1].replace(/,\s*\]/, "]"));
  expect(shell.length).toBeGreaterThan(3);
  for (const entry of shell) expect(entry).toMatch(/^\/(pkg\/|icons\/|offline\.html$|favicon\.ico$|manifest\.webmanifest$)/);
});

test("Help answers the seed's questions, each linking to the page it talks about", async ({ page }) => {
  await page.goto("/help");
  const answers: [string, string][] = [
    ["What can I find in the Document Center?", "/visits"],
    ["Where can I find my After Visit Summary and Progress Notes?", "/visits"],
    ["Can my spouse and I share one account?", "/sharing/invite"],
    ["Can I see who has looked at my record?", "/sharing/access-log"],
    ["Where can I update my personal information (address, e-mail, password)?", "/account"],
    ["What demographic information can I update?", "/account/personal"],
    ["My activation code does not work. What should I do?", "/signup"],
    ["Can I pay my bill in Portico?", "/contact"],
    ["What is your privacy policy?", "/privacy"],
  ];
  for (const [question, href] of answers) {
    const faq = page.getByRole("region", { name: question });
    await expect(faq).toBeVisible();
    await expect(faq.locator(`a[href="${href}"]`)).toBeVisible();
  }
  await expect(page.getByRole("region", { name: "Can I link an app to Portico?" })).toContainText("Not yet");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("region", { name: "¿Puedo ver quién consultó mi expediente?" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.getByRole("region", { name: "What is your privacy policy?" })).toBeVisible();
});
