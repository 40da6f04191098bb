import * as fs from "fs";
import { execFileSync } from "child_process";
import { test, expect, signIn, signOut, expectAccessible } from "./helpers";

const menu = (page) => page.getByRole("navigation", { name: "Menu" });

/// The text of a downloaded PDF, as a reader shows it (pdftotext, poppler-utils).
async function pdfText(download): Promise<string> {
  const path = (await download.path())!;
  expect(fs.readFileSync(path).subarray(0, 5).toString()).toBe("%PDF-");
  return execFileSync("pdftotext", [path, "-"]).toString();
}

test("a patient ticks two visits and downloads them as one PDF, and a document on file", async ({ page }) => {
  await signIn(page, "avery");
  await menu(page).getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { name: "Document Center", level: 1 })).toBeVisible();
  await expectAccessible(page);

  // Nothing ticked: the server says so on the page, and nothing is downloaded.
  await page.getByRole("link", { name: "Visit records" }).click();
  await expect(page).toHaveURL(/\/documents\?kind=visit-records$/);
  await expect(page.getByRole("link", { name: "Visit records" })).toHaveAttribute("aria-current", "page");
  await page.getByRole("button", { name: "Download selected visits (PDF)" }).click();
  await expect(page.getByText("Tick at least one visit to put in the record.")).toBeVisible();

  // Avery's two most recent finished visits: the lab draw six days ago and the video visit.
  await page.getByRole("checkbox", { name: "Lab visit - Blood draw" }).first().check();
  await page.getByRole("checkbox", { name: "Video visit - Diabetes follow-up" }).check();
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download selected visits (PDF)" }).click();
  expect((await download).suggestedFilename()).toBe("visit-records.pdf");
  const text = await pdfText(await download);
  expect(text).toContain("Avery Smith");
  expect(text).toContain("Diabetes follow-up");
  expect(text).toContain("Blood draw");
  expect(text).not.toContain("Annual physical");
  expect(text).toMatch(/Page 1 of \d/);

  await page.getByRole("link", { name: "Documents on file" }).click();
  const summary = page.getByRole("button", { name: "Download Emergency Department discharge summary" });
  await expect(page.locator(".document-title", { hasText: "Operative report: right knee arthroscopy" })).toBeVisible();
  const onFile = page.waitForEvent("download");
  await summary.click();
  expect((await onFile).suggestedFilename()).toMatch(/^document-\d+\.pdf$/);
  expect(await pdfText(await onFile)).toContain("Heart attack ruled out");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { name: "Centro de documentos", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Formularios" }).click();
  const form = page.waitForEvent("download");
  await page.getByRole("button", { name: /^Descargar Formulario de autorización/ }).click();
  expect(await pdfText(await form)).toContain("Autorización de acceso de apoderado");
  await expectAccessible(page);
  await page.getByRole("button", { name: "English" }).click();
});

test("a proxy without the Documents section has no menu entry and is refused", async ({ page }) => {
  // Jordan's own chart has it; Sam's grant on Joe's chart (messages and medications) does not.
  await signIn(page, "jordan");
  await expect(menu(page).getByRole("link", { name: "Documents" })).toBeVisible();
  await signOut(page);
  await signIn(page, "sam");
  await expect(page.getByTestId("chart-banner")).toHaveText("You are viewing Joe Carter's chart");
  await expect(menu(page).getByRole("link", { name: /^Messages/ })).toBeVisible();
  await expect(menu(page).getByRole("link", { name: "Documents" })).toHaveCount(0);
  await page.goto("/documents");
  await expect(page.getByText("You do not have access to this.")).toBeVisible();
  await expectAccessible(page);
  await signOut(page);
});
