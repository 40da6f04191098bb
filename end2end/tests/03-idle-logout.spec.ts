import { test, expect, signIn } from "./helpers";

test("idle: warning at 18 minutes, Stay signed in works, signed out at 20, server refuses after", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "avery");
  await expect(page.getByRole("heading", { name: "Welcome, Avery" })).toBeVisible();

  const dialog = page.getByRole("dialog", { name: "Are you still there?" });
  await page.clock.runFor(17 * 60_000 + 50_000);
  await expect(dialog).toBeHidden();
  await page.clock.runFor(15_000);
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("timer")).toHaveText(/^1:5\d$/);
  await page.clock.runFor(30_000);
  await expect(dialog.getByRole("timer")).toHaveText(/^1:2\d$/);

  await dialog.getByRole("button", { name: "Stay signed in" }).click();
  await expect(dialog).toBeHidden();

  // A full new period: the warning again at 18 minutes after "Stay signed in".
  await page.clock.runFor(17 * 60_000);
  await expect(dialog).toBeHidden();
  await page.clock.runFor(61_000);
  await expect(dialog).toBeVisible();
  await page.clock.runFor(2 * 60_000);
  await expect(page).toHaveURL(/\/signin\?reason=idle&minutes=20/);
  await expect(page.getByText("You were signed out after 20 minutes of inactivity.")).toBeVisible();

  // The server agrees: the session is gone.
  const res = await page.request.post("/api/auth/keep_alive", { headers: { Origin: "http://127.0.0.1:3100" } });
  expect(res.status()).toBe(401);
  await page.goto("/");
  await expect(page).toHaveURL(/\/signin/);
});
