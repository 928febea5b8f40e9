import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';
import { matchesStatus, parseExpectedStatus } from '../src/status.ts';

function reader(values: Record<string, string>): (name: string) => string {
  return (name) => values[name] ?? '';
}

function inputErrorOf(values: Record<string, string>): InputError {
  try {
    readInputs(reader(values));
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('readInputs accepted the inputs');
}

describe('readInputs', () => {
  it('applies defaults', () => {
    const inputs = readInputs(reader({ url: 'https://api.example.org/health' }));

    expect(inputs.urls.map((url) => url.href)).toEqual(['https://api.example.org/health']);
    expect(inputs.expectedStatus.text).toBe('200');
    expect(inputs.attempts).toBe(10);
    expect(inputs.intervalMs).toBe(5_000);
    expect(inputs.requestTimeoutMs).toBe(5_000);
    expect(inputs.expectedVersion).toBeUndefined();
    expect(inputs.versionHeader).toBe('x-app-version');
    expect(inputs.consecutiveSuccesses).toBe(1);
    expect(inputs.service).toBeUndefined();
  });

  it('defaults to 3 in a row with a version', () => {
    const inputs = readInputs(reader({ url: 'http://127.0.0.1:8000/health', 'expected-version': '1.2.3' }));

    expect(inputs.expectedVersion).toBe('1.2.3');
    expect(inputs.consecutiveSuccesses).toBe(3);
  });

  it('reads every input', () => {
    const inputs = readInputs(
      reader({
        url: 'http://a.example/health\nhttps://b.example/ready, http://c.example/',
        'expected-status': '200-204, 3xx',
        attempts: '4',
        interval: '1m30s',
        'request-timeout': '750ms',
        'expected-version': 'abc123',
        'version-header': 'X-Build',
        'consecutive-successes': '2',
        cluster: 'quiz-backend-testing',
        service: 'quiz-backend-testing',
      }),
    );

    expect(inputs.urls.map((url) => url.href)).toEqual(['http://a.example/health', 'https://b.example/ready', 'http://c.example/']);
    expect(inputs.expectedStatus.text).toBe('200-204,3xx');
    expect(inputs.attempts).toBe(4);
    expect(inputs.intervalMs).toBe(90_000);
    expect(inputs.requestTimeoutMs).toBe(750);
    expect(inputs.versionHeader).toBe('x-build');
    expect(inputs.consecutiveSuccesses).toBe(2);
    expect(inputs.service).toEqual({ cluster: 'quiz-backend-testing', service: 'quiz-backend-testing' });
  });

  it.each([
    ['url', {}, 'is required'],
    ['url', { url: 'not a url' }, '"not a url" is not a URL'],
    ['url', { url: 'ftp://example.org/file' }, 'uses ftp'],
    ['url', { url: 'ftp://user:hunter22@example.org/' }, 'ftp://***:***@example.org/'],
    ['expected-status', { url: 'http://a.example/', 'expected-status': '200, 600' }, '"600" is not a status code'],
    ['expected-status', { url: 'http://a.example/', 'expected-status': '299-200' }, '"299-200"'],
    ['expected-status', { url: 'http://a.example/', 'expected-status': 'ok' }, '"ok"'],
    ['attempts', { url: 'http://a.example/', attempts: '0' }, 'below the minimum 1'],
    ['attempts', { url: 'http://a.example/', attempts: 'ten' }, '"ten" is not a whole number'],
    ['attempts', { url: 'http://a.example/', attempts: '2', 'expected-version': 'v2' }, '2 attempts can never give 3 consecutive successes'],
    ['interval', { url: 'http://a.example/', interval: '5' }, '"5" is not a duration'],
    ['request-timeout', { url: 'http://a.example/', 'request-timeout': '0s' }, 'too short'],
    ['version-header', { url: 'http://a.example/', 'version-header': 'x app version' }, 'not a valid HTTP header name'],
    ['consecutive-successes', { url: 'http://a.example/', 'consecutive-successes': '0' }, 'below the minimum 1'],
    ['cluster', { url: 'http://a.example/', service: 'api' }, 'Set both cluster and service'],
    ['service', { url: 'http://a.example/', cluster: 'main' }, 'Set both cluster and service'],
  ])('rejects bad %s', (input, values, fragment) => {
    const error = inputErrorOf(values);

    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input "${input}"`);
    expect(error.message).toContain(fragment);
  });

  it('never prints a URL password', () => {
    const error = inputErrorOf({ url: 'ftp://user:hunter22@example.org/' });

    expect(error.message).not.toContain('hunter22');
  });
});

describe('parseExpectedStatus', () => {
  it.each([
    ['200', [200], [201, 199, 503]],
    ['200-204', [200, 204], [199, 205]],
    ['2xx', [200, 250, 299], [199, 300]],
    ['2XX,301', [204, 301], [302, 404]],
    ['', [200], [204]],
  ])('matches %s', (text, accepted, rejected) => {
    const matcher = parseExpectedStatus('expected-status', text);

    for (const status of accepted) expect(matchesStatus(matcher, status)).toBe(true);
    for (const status of rejected) expect(matchesStatus(matcher, status)).toBe(false);
  });
});
