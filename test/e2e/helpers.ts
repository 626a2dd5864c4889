import { expect, inject } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { newDevice } from './browser';

export const baseURL = () => inject('baseURL');

/** Save a screenshot for people to look at (test-results/screenshots/<name>.png). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${inject('screenshotDir')}/${name}.png` });
}

/** Collect page errors so a test can assert that none happened. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`${e.message}\n${e.stack ?? ''}`));
  return errors;
}

export async function createProject(page: Page, name: string): Promise<string> {
  await page.goto(baseURL());
  await page.getByRole('button', { name: 'New project' }).first().click();
  const title = page.getByRole('textbox', { name: 'Project name' });
  await title.waitFor();
  await title.fill(name);
  await title.press('Enter');
  await page.waitForFunction((n) => document.title.startsWith(n), name);
  return new URL(page.url()).pathname.split('/')[2]!;
}

/** A fresh device (browser profile) with its first page, whose page errors are collected for the test to check. */
export async function openDevice(): Promise<{ device: BrowserContext; page: Page; errors: string[] }> {
  const device = await newDevice();
  const page = device.pages()[0] ?? (await device.newPage());
  return { device, page, errors: watchErrors(page) };
}

/** Replace an operation's code through its editor, keeping its first line (the run() signature). */
export async function setCode(p: Page, operation: string, body: string): Promise<void> {
  await p.getByRole('navigation', { name: 'Project' }).getByRole('link', { name: operation, exact: true }).click();
  const code = p.getByRole('textbox', { name: `Code of ${operation}` });
  await code.waitFor();
  const first = (await code.textContent())!.split('\n')[0]!;
  const signature = first.slice(0, first.indexOf('{', first.indexOf(')')) + 1);
  await code.click();
  await p.keyboard.press('Control+A');
  await p.keyboard.insertText(`${signature}\n${body}\n}\n`);
  await expect.poll(() => code.textContent()).toContain(body.trim().split('\n').pop()!.trim());
}
