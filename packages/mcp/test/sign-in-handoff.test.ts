import { describe, expect, it } from 'vitest';
import { SignInHandoff, signInPrompt } from '../src/sign-in-handoff.js';

describe('signInPrompt', () => {
  it('reads the page and the device code from a sign-in progress line; other lines are not prompts', () => {
    expect(signInPrompt({ text: 'Open http://127.0.0.1:9440/device?user_code=BCDF-GHJK and enter the code BCDF-GHJK (valid until 14:03:07 +00:00). Waiting for you to finish...' })).toMatchObject({ url: 'http://127.0.0.1:9440/device?user_code=BCDF-GHJK', userCode: 'BCDF-GHJK' });
    expect(signInPrompt({ text: 'Open the sign-in page', openUrl: 'https://accounts.google.com/o/oauth2/v2/auth?x=1' })).toMatchObject({ url: 'https://accounts.google.com/o/oauth2/v2/auth?x=1' });
    expect(signInPrompt({ text: 'Open https://example.com/login.' })?.url).toBe('https://example.com/login');
    expect(signInPrompt({ text: 'Requesting a device code...' })).toBeUndefined();
  });
});

describe('SignInHandoff', () => {
  it('only for a sign-in without a progress token; answers once both the page and the task are known, in either order', async () => {
    expect(SignInHandoff.applies('authorize_gmail', undefined)).toBe(true);
    expect(SignInHandoff.applies('authorize_gmail', 'token-1')).toBe(false);
    expect(SignInHandoff.applies('check_invoices', undefined)).toBe(false);
    const handoff = new SignInHandoff();
    handoff.offer({ text: 'Open http://127.0.0.1:9/device and enter the code AB-CD' }, { agent: 'mail', command: 'authorize_gmail' });
    handoff.taskStarted('task-1');
    const answer = await handoff.answer;
    expect(answer.structuredContent).toEqual({ status: 'waiting-for-user', url: 'http://127.0.0.1:9/device', userCode: 'AB-CD', taskId: 'task-1' });
    expect(JSON.stringify(answer.content)).toContain('task_status {\\"task_id\\":\\"task-1\\"}');
  });
});
