import { describe, expect, it } from '@jest/globals';

import { displayLocation, displayUrl, printableHeaderValue } from '../src/redact.ts';
import { formatLastResponse } from '../src/report.ts';

describe('redaction', () => {
  it.each([
    ['authorization', 'Bearer abc'],
    ['Cookie', 'a=b'],
    ['set-cookie', 'session=1'],
    ['x-api-key', 'k'],
    ['x-auth-token', 't'],
    ['x-amz-security-token', 't'],
  ])('masks header %s', (name, value) => {
    expect(printableHeaderValue(name, value)).toBe('***');
  });

  it.each([
    ['content-type', 'application/json'],
    ['x-app-version', '1.2.3'],
    ['location', '/health/'],
  ])('keeps header %s', (name, value) => {
    expect(printableHeaderValue(name, value)).toBe(value);
  });

  it('masks URL credentials', () => {
    expect(displayUrl(new URL('https://user:pw@quiz.example.org/health?api_key=k&lang=en'))).toBe(
      'https://***:***@quiz.example.org/health?api_key=***&lang=en',
    );
  });

  it('keeps relative locations relative', () => {
    expect(displayLocation('/login?next=%2F&session=s1')).toBe('/login?next=%2F&session=***');
    expect(displayLocation('https://login.example.org/?token=t')).toBe('https://login.example.org/?token=***');
  });
});

describe('formatLastResponse', () => {
  it('prints a short body whole', () => {
    const text = formatLastResponse({ status: 500, headers: { 'x-b': '2', 'x-a': '1' }, body: Buffer.from('oops'), bodyTruncated: false });

    expect(text).toBe(['Status: 500', 'Headers:', '  x-a: 1', '  x-b: 2', 'Body (4 bytes):', 'oops'].join('\n'));
  });

  it('says when the body is empty', () => {
    expect(formatLastResponse({ status: 204, headers: {}, body: Buffer.alloc(0), bodyTruncated: false })).toBe('Status: 204\nHeaders:\nBody: empty');
  });

  it('marks a truncated body', () => {
    const text = formatLastResponse({ status: 200, headers: {}, body: Buffer.alloc(4096, 'a'), bodyTruncated: true });

    expect(text).toContain('Body (first 2048 of more than 4096 bytes):');
    expect(text.endsWith(`\n${'a'.repeat(2048)}`)).toBe(true);
  });
});
