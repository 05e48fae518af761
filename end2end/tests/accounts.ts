import { expect, Page, test } from '@playwright/test';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// Account flows as a person does them, with or without JavaScript (the spec files call this
// once per project). Without JavaScript every form is a plain POST answered by the server.

export const DEMO_PASSWORD = 'demo-only-not-secret';

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
}

// The newest e-mail of `kind` to `to` in the server's outbox folder (scripts/e2e.sh points
// the server and these tests at the same one), as a mail reader shows it.
export async function mailTo(to: string, kind: string): Promise<string> {
  const dir = process.env.SERIALTRACE_OUTBOX_DIR;
  if (!dir) throw new Error('SERIALTRACE_OUTBOX_DIR is not set: run the browser tests with `make test`');
  for (let i = 0; i < 100; i++) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(`-${kind}.eml`)).sort();
    } catch {
      // not made yet
    }
    const texts = names
      .map((n) => readFileSync(join(dir, n), 'utf8'))
      .map((t) => t.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))))
      .filter((t) => t.includes(`To: ${to}`));
    if (texts.length > 0) return texts[texts.length - 1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} e-mail to ${to}`);
}

export function linkIn(mail: string, path: string): string {
  const match = mail.match(new RegExp(`${path}\\?token=[0-9a-f]+`));
  if (!match) throw new Error(`no ${path} link in ${mail}`);
  return match[0];
}

// Confirms `address` from its mailed link, then signs in with the password (the link only
// confirms: it signs nobody in).
export async function confirmAndSignIn(page: Page, address: string, password: string) {
  const mail = await mailTo(address, 'verify_email');
  await page.goto(linkIn(mail, '/verify-email'));
  await page.getByRole('button', { name: 'Confirm my address' }).click();
  await expect(page).toHaveURL(/\/signin\?done=confirmed/);
  await expect(page.getByText('Your address is confirmed')).toBeVisible();
  await page.getByLabel('E-mail address').fill(address);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/account/);
}

// Signs up with `address` and confirms it from the mailed link: signed in afterwards.
export async function signUp(page: Page, address: string, password: string) {
  await page.goto('/signup');
  await page.getByLabel('E-mail address').fill(address);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('The same password again').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Check your e-mail')).toBeVisible();
  await confirmAndSignIn(page, address, password);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/signin');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export function accountFlows(javascript: boolean) {
  test('sign up: problems next to their fields, then an account', async ({ page }) => {
    await page.goto('/signup');
    const email = page.getByLabel('E-mail address');
    const password = page.getByLabel('Password', { exact: true });
    if (javascript) {
      // The field checks itself as it is typed (the island has hydrated when it answers).
      await email.click();
      await email.pressSequentially('ada@', { delay: 20 });
      await expect(page.locator('#f-email-problem')).toContainText('not an e-mail address');
      await email.fill('');
    }
    await email.fill('ada@');
    await password.fill('short');
    await page.getByLabel('The same password again').fill('different');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('#f-email-problem')).toContainText('not an e-mail address');
    await expect(page.locator('#f-password-problem')).toContainText('12 to 128');
    await expect(page.locator('#f-confirm-problem')).toContainText('not the same');
    await expect(email).toHaveValue('ada@');

    const address = uniqueEmail(javascript ? 'js' : 'nojs');
    await email.fill(address);
    await password.fill('three unrelated words here');
    await page.getByLabel('The same password again').fill('three unrelated words here');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByText('Check your e-mail')).toBeVisible();

    // The mailed link's page asks for one click, which confirms; then the password.
    await confirmAndSignIn(page, address, 'three unrelated words here');
    await expect(page.getByRole('heading', { name: /Signed in as/ })).toContainText(address);
    await expect(page.getByText('your account is ready')).toBeVisible();
  });

  test('sign in: one message for bad credentials, then the account', async ({ page }) => {
    await signIn(page, 'owner@demo.serialtrace.test', 'not the password at all');
    await expect(page.getByRole('alert')).toContainText('The e-mail address or password is not right.');
    await expect(page.getByLabel('E-mail address')).toHaveValue('owner@demo.serialtrace.test');
    await signIn(page, 'nobody-here@example.org', DEMO_PASSWORD);
    await expect(page.getByRole('alert')).toContainText('The e-mail address or password is not right.');
    await signIn(page, 'owner@demo.serialtrace.test', DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole('heading', { name: /Signed in as/ })).toContainText('owner@demo.serialtrace.test');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Account' })).toBeVisible();
  });

  test('sign out: the session ends and private pages ask to sign in', async ({ page }) => {
    await signIn(page, 'agent@demo.serialtrace.test', DEMO_PASSWORD);
    await expect(page).toHaveURL(/\/account$/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByText('You have signed out on every device.')).toBeVisible();
    await page.goto('/account');
    await expect(page).toHaveURL(/\/signin\?next=\/account/);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });

  test('a private page sends an anonymous visitor to sign in and back', async ({ page }) => {
    await page.goto('/admin/users');
    await expect(page).toHaveURL(/\/signin\?next=\/admin\/users/);
    await page.getByLabel('E-mail address').fill('admin@demo.serialtrace.test');
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    await expect(page.getByRole('heading', { name: 'Users and roles' })).toBeVisible();
  });
}
