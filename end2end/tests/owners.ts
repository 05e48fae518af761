import { Browser, expect, Page, test } from '@playwright/test';
import { DEMO_PASSWORD, signIn, signUp, uniqueEmail } from './accounts';

// Owners and support agents as they use the portal, with or without JavaScript (the spec
// files call this once per project). Each test makes its own unit, so the two projects and
// their retries never share one.

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

// A new HC-L14 serial, made by the demo staff member in a browser of their own.
async function newSerial(browser: Browser): Promise<string> {
  const context = await browser.newContext();
  const staff = await context.newPage();
  await signIn(staff, 'staff@demo.serialtrace.test', DEMO_PASSWORD);
  await expect(staff).toHaveURL(/\/account$/);
  await staff.goto('/staff/products');
  await staff.getByRole('link', { name: 'HC-L14', exact: true }).click();
  await staff.getByLabel('How many').fill('1');
  await staff.getByRole('button', { name: 'Make the serials' }).click();
  await expect(staff.locator('.notice')).toContainText('1 new serials made');
  const serial = (await staff.locator('.label-serial').first().textContent())?.trim() ?? '';
  await context.close();
  expect(serial).not.toBe('');
  return serial;
}

// Signs up a new owner and registers `serial` with a receipt: the product's page.
async function registerNewOwner(page: Page, tag: string, serial: string): Promise<string> {
  await signUp(page, uniqueEmail(tag), 'a long and quiet passphrase');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My products' }).click();
  await expect(page.getByRole('heading', { name: 'My products' })).toBeVisible();
  await page.getByRole('link', { name: 'Register a product' }).click();
  await page.getByLabel('Serial number').fill(serial);
  await page.getByLabel('Date of purchase').fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel('Bought from').fill('Corner Shop');
  await page.getByLabel('Proof of purchase (optional)').setInputFiles({ name: 'receipt.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: 'Register' }).click();
  await expect(page.getByText('Registered: the product is yours')).toBeVisible();
  return new URL(page.url()).pathname;
}

export function ownerFlows(javascript: boolean) {
  const tag = javascript ? 'js-owner' : 'nojs-owner';

  test('an owner registers a unit, sees it, reports it stolen; the public lookup says so', async ({ page, browser }) => {
    const serial = await newSerial(browser);
    const product = await registerNewOwner(page, tag, serial);
    await expect(page.getByRole('link', { name: 'Proof of purchase' })).toBeVisible();

    await page.goto('/my/products');
    const card = page.locator(`li.product[data-serial="${serial}"]`);
    await expect(card).toContainText('Under warranty until');
    await expect(card).toContainText('Not reported');

    await page.goto(product);
    await page.getByLabel('What happened').selectOption('stolen');
    await page.getByLabel('Where').fill('Station Road');
    await page.getByRole('button', { name: 'Report it' }).click();
    await expect(page.getByText('Public lookups of this serial now say it is reported')).toBeVisible();

    await page.goto(`/lookup?serial=${serial}`);
    await expect(page.locator('.status.stolen')).toContainText('Reported stolen');
  });

  test('an agent works an owner\'s claim to its end; the owner follows it', async ({ page, browser }) => {
    const serial = await newSerial(browser);
    const product = await registerNewOwner(page, `${tag}-claim`, serial);
    await page.goto(`${product}/claim`);
    await expect(page.locator('.warranty-verdict')).toContainText('filed under warranty');
    await page.getByLabel('What is wrong?').fill('The keyboard stops responding after an hour.');
    await page.getByRole('button', { name: 'File the claim' }).click();
    await expect(page.getByText('Your claim has been filed')).toBeVisible();
    const claimPath = new URL(page.url()).pathname;
    const claim = claimPath.split('/').pop();

    const context = await browser.newContext();
    const agent = await context.newPage();
    await signIn(agent, 'agent@demo.serialtrace.test', DEMO_PASSWORD);
    await agent.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Support desk' }).click();
    await agent.getByRole('link', { name: new RegExp(`^Claim ${claim} `) }).click();
    await agent.getByLabel('New status').selectOption('approved');
    await agent.getByLabel('Note', { exact: true }).fill('Approved: bring it to any service point.');
    await agent.getByRole('button', { name: 'Save' }).click();
    await expect(agent.getByText('The claim is updated')).toBeVisible();
    await expect(agent.locator('.claim-status')).toContainText('approved');
    // The repair, for the approved claim, closes the loop.
    await agent.getByRole('link', { name: 'The unit\'s record' }).click();
    await agent.getByLabel('For the approved claim').selectOption({ label: `claim ${claim}` });
    await agent.getByLabel('What was done').fill('Replaced the keyboard');
    await agent.getByRole('button', { name: 'Log the repair' }).click();
    await expect(agent.getByText('The repair is logged.')).toBeVisible();
    await agent.goto(`/desk/claims/${claim}`);
    await agent.getByLabel('New status').selectOption('closed');
    await agent.getByRole('button', { name: 'Save' }).click();
    await expect(agent.locator('.claim-status')).toContainText('closed');
    await context.close();

    await page.goto(claimPath);
    await expect(page.locator('.claim-status')).toContainText('Status: closed');
    await expect(page.locator('main')).toContainText('Approved: bring it to any service point.');
    await expect(page.locator('main')).toContainText('Replaced the keyboard');
  });
}
