import { expect, test } from '@playwright/test';
import { accountFlows, DEMO_PASSWORD, signIn, signUp, uniqueEmail } from './accounts';

accountFlows(true);

test('an administrator grants a role, and the audit log shows it', async ({ page, browser }) => {
  // A new user signs up (and confirms the address) in a browser of their own.
  const address = uniqueEmail('grant');
  const userContext = await browser.newContext();
  const user = await userContext.newPage();
  await signUp(user, address, 'three unrelated words here');

  await signIn(page, 'admin@demo.serialtrace.test', DEMO_PASSWORD);
  await page.goto(`/admin/users?q=${encodeURIComponent(address)}`);
  const row = page.locator(`tr[data-email="${address}"]`);
  await row.getByLabel('Role', { exact: true }).selectOption('police');
  await row.getByLabel('Agency (police)').fill('Harbour Police');
  await row.getByRole('button', { name: 'Grant' }).click();
  await expect(page.getByText('The role has been granted.')).toBeVisible();
  await expect(page.locator(`tr[data-email="${address}"]`)).toContainText('Police (Harbour Police)');

  // The user's next page shows the new role.
  await user.goto('/account');
  await expect(user.locator('ul.roles')).toContainText('Police (Harbour Police)');

  await page.goto('/admin/audit?action=user.role_grant');
  await expect(page.locator('tr[data-action="user.role_grant"]').first()).toContainText('Harbour Police');
  await userContext.close();
});

test('someone without the role gets a clear refusal', async ({ page }) => {
  await signIn(page, 'owner@demo.serialtrace.test', DEMO_PASSWORD);
  const response = await page.goto('/admin/audit');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Not allowed' })).toBeVisible();
});
