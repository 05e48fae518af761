import { expect, Page, test } from '@playwright/test';

// Account flows as a person does them, with or without JavaScript (the spec files call this
// once per project). Without JavaScript every form is a plain POST answered by the server.

export const DEMO_PASSWORD = 'demo-only-not-secret';

export function uniqueEmail(tag: string): string {
  return `${tag}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;
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
    await expect(page).toHaveURL(/\/account/);
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
