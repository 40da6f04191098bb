import { test, expect, hydrated, expectAccessible, latestMailTo, signIn, DEMO_PASSWORD } from "./helpers";
import type { Page } from "@playwright/test";

// Riley Chen (demo seed) has a chart and no account: two visits in 2025 (March and
// October) with Dr. Sofia Martinez, levothyroxine and albuterol, a flu shot.
const RILEY: Record<string, string[]> = {
  "visit-month": ["March", "October"],
  provider: ["Dr. Sofia Martinez, MD"],
  medication: ["Levothyroxine", "Albuterol"],
  immunization: ["Influenza, unspecified formulation"],
};

async function fillApplicant(page: Page, labels: string[], values: string[]) {
  for (let i = 0; i < labels.length; i++) {
    await page.getByLabel(labels[i], { exact: true }).fill(values[i]);
  }
}

/// Picks, in each question, the choice Riley's chart says is right.
async function answerAsRiley(page: Page) {
  const questions = page.locator("fieldset[data-question]");
  await expect(questions).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    const question = questions.nth(i);
    const kind = (await question.getAttribute("data-question"))!;
    const labels = question.locator("label");
    const texts = await labels.allTextContents();
    const right = texts.findIndex((t) => RILEY[kind].includes(t.trim()));
    expect(right, `${kind}: ${texts.join(" | ")}`).toBeGreaterThanOrEqual(0);
    await labels.nth(right).click();
  }
}

const ENGLISH = ["Legal first name", "Legal last name", "Date of birth", "ZIP or postal code", "Phone number", "E-mail address"];

test("an adult with a chart signs up online: three questions, an account, a confirmed e-mail", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByRole("link", { name: "Sign up online (18 and older)" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign up online" })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  // A phone number that cannot be one is refused at its field; the rest stays typed.
  await fillApplicant(page, ENGLISH, ["Riley", "Chen", "1979-11-02", "97206", "555-01", "riley@example.org"]);
  await page.getByRole("button", { name: "Continue" }).click();
  const phone = page.getByLabel("Phone number");
  await expect(page.getByText("Enter a phone number of 7 to 15 digits.")).toBeVisible();
  await expect(phone).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Legal first name")).toHaveValue("Riley");

  await phone.fill("(503) 555-0142");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByText("Answer these three questions")).toBeVisible();
  await expectAccessible(page);
  await answerAsRiley(page);
  await page.getByRole("button", { name: "Check my answers" }).click();
  await expect(page.getByText("Thank you, Riley: you are verified.")).toBeVisible();
  await expectAccessible(page);

  const created = Date.now();
  await page.getByLabel("Username", { exact: true }).fill("riley");
  await page.getByLabel("Password", { exact: true }).fill(DEMO_PASSWORD);
  await page.getByLabel("Password again").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Create my account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your e-mail address" })).toBeVisible();
  await expect(page.getByText("We sent an 8-digit code to riley@example.org")).toBeVisible();

  // A wrong code is refused at its field; the mailed one confirms the address.
  await page.getByLabel("Confirmation code").fill("00000000");
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page.getByText("That code is not right.")).toBeVisible();
  await expectAccessible(page);
  const mail = await latestMailTo("riley@example.org", created);
  expect(mail).not.toContain("Chen");
  await page.getByLabel("Confirmation code").fill(mail.match(/page: (\d{8})/)![1]);
  await page.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(page.getByText("Your e-mail address is confirmed.")).toBeVisible();
  await expect(page.getByText("Confirmed", { exact: true })).toBeVisible();
  await expect(page.getByRole("link", { name: "Turn on two-step sign-in" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByTestId("chart-banner")).toHaveText("You are viewing Riley Chen's chart");
});

test("en español: a minor is refused at the field, and no match gets the one answer with our number", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByRole("button", { name: "Español" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Registrarse en línea" })).toBeVisible();
  await hydrated(page);
  const labels = ["Nombre legal", "Apellido legal", "Fecha de nacimiento", "Código postal", "Número de teléfono", "Correo electrónico"];
  await fillApplicant(page, labels, ["Nadie", "Conocido", "2012-04-01", "10001", "212 555 0100", "nadie@example.org"]);
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByText("El registro en línea es para pacientes de 18 años o más.")).toBeVisible();
  await expect(page.getByLabel("Fecha de nacimiento")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);

  await page.getByLabel("Fecha de nacimiento").fill("1980-04-01");
  await page.getByRole("button", { name: "Continuar" }).click();
  await expect(page.getByText("Responda estas tres preguntas")).toBeVisible();
  const questions = page.locator("fieldset[data-question]");
  await expect(questions).toHaveCount(3);
  for (let i = 0; i < 3; i++) {
    await questions.nth(i).locator("label").first().click();
  }
  await expectAccessible(page);
  await page.getByRole("button", { name: "Comprobar mis respuestas" }).click();
  const ended = page.getByTestId("sign-up-ended");
  await expect(ended).toContainText("No pudimos verificar su identidad en línea.");
  await expect(ended).toContainText("Llámenos al");
  await expectAccessible(page);
});

// After the first test: Riley has an account now.
test("riley invites a caregiver, who makes an account from the e-mailed link (en español)", async ({ page, browser }) => {
  await signIn(page, "riley");
  await page.getByRole("navigation", { name: "Menu" }).getByRole("link", { name: "Sharing" }).click();
  await page.getByRole("link", { name: "Invite someone to see my chart" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Invite someone to see my chart" })).toBeVisible();
  await expectAccessible(page);
  const sent = Date.now();
  await page.getByLabel("Their name").fill("Morgan Chen");
  await page.getByLabel("Their e-mail address").fill("morgan@example.org");
  await page.getByLabel("Who they are to you").selectOption("spouse");
  await page.getByLabel("Medications").check();
  await page.getByLabel("Messages").check();
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByText("Invitation sent.")).toBeVisible();

  // The e-mail names no one; its link opens the invitation.
  const mail = (await latestMailTo("morgan@example.org", sent)).replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  expect(mail).not.toContain("Riley");
  const link = new URL(mail.match(/https?:\/\/\S+token=[A-Za-z0-9_-]+/)![0]);
  const morgan = await (await browser.newContext()).newPage();
  await morgan.goto(link.pathname + link.search);
  await morgan.getByRole("button", { name: "Español" }).click();
  await expect(morgan.getByRole("heading", { level: 1, name: "Una invitación para ver el expediente de Riley Chen" })).toBeVisible();
  await expect(morgan.getByText("como cónyuge")).toBeVisible();
  await expectAccessible(morgan);
  await morgan.getByLabel("Nombre de usuario").fill("morgan");
  await morgan.getByLabel("Contraseña", { exact: true }).fill(DEMO_PASSWORD);
  await morgan.getByLabel("Repita la contraseña").fill(DEMO_PASSWORD);
  await morgan.getByRole("button", { name: "Crear mi cuenta y aceptar" }).click();
  await expect(morgan.getByTestId("chart-banner")).toHaveText("Está viendo el expediente de Riley Chen");
  // Only what Riley chose: Medications and Messages (and no chart of Morgan's own).
  const menu = morgan.getByRole("navigation", { name: "Menú" });
  await expect(menu.getByRole("link", { name: "Medicamentos" })).toBeVisible();
  await expect(menu.getByRole("link", { name: "Resultados de pruebas" })).toHaveCount(0);

  // The link worked once.
  const again = await (await browser.newContext()).newPage();
  await again.goto(link.pathname + link.search);
  await expect(again.getByRole("heading", { level: 1, name: "This invitation cannot be used" })).toBeVisible();

  // An invitation not yet accepted can be withdrawn.
  await page.goto("/sharing/invite");
  await page.getByLabel("Their name").fill("Pat Chen");
  await page.getByLabel("Their e-mail address").fill("pat.chen@example.org");
  await page.getByLabel("Home").check();
  await page.getByRole("button", { name: "Send the invitation" }).click();
  await expect(page.getByText("Pat Chen (pat.chen@example.org), until")).toBeVisible();
  await page.getByRole("button", { name: "Withdraw the invitation to Pat Chen" }).click();
  await expect(page.getByText("The invitation was withdrawn")).toBeVisible();
  await expect(page.getByText("Pat Chen (pat.chen@example.org)")).toHaveCount(0);
  await expectAccessible(page);
});
