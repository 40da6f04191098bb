import { test, expect, signIn, hydrated } from "./helpers";

test("signing out in one tab signs out every tab", async ({ page, context }) => {
  await signIn(page, "avery");
  const other = await context.newPage();
  await other.goto("/");
  await expect(other.getByRole("heading", { name: "Welcome, Avery" })).toBeVisible();
  await hydrated(other);

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin\?reason=signed-out/);
  await expect(other).toHaveURL(/\/signin\?reason=signed-out/);
  await expect(other.getByText("You have signed out.")).toBeVisible();
});

test("activity in one tab keeps the other signed in", async ({ context }) => {
  const a = await context.newPage();
  await a.clock.install();
  const b = await context.newPage();
  await b.clock.install();
  await signIn(a, "avery");
  await b.goto("/");
  await hydrated(b);
  // Tab a is used every few minutes; tab b sits untouched for 25 minutes.
  for (let i = 0; i < 5; i++) {
    await a.clock.runFor(5 * 60_000);
    await b.clock.runFor(5 * 60_000);
    await a.mouse.move(10 + i, 10);
    await a.keyboard.press("Shift");
  }
  await b.clock.runFor(1_000);
  await expect(b.getByRole("dialog", { name: "Are you still there?" })).toBeHidden();
  await expect(b.getByRole("heading", { name: "Welcome, Avery" })).toBeVisible();
});
