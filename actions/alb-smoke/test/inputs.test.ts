import { describe, expect, it } from '@jest/globals';
import { InputError } from '@ecs-deploy-kit/shared';

import { readInputs } from '../src/inputs.ts';
import { matchesBody, parseBodyMatcher, parseJsonPath, readJsonPath } from '../src/match.ts';
import type { BodyMatcher } from '../src/match.ts';
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
    expect(inputs.method).toBe('GET');
    expect(inputs.headers.size).toBe(0);
    expect(inputs.insecure).toBe(false);
    expect(inputs.followRedirects).toBe(false);
    expect(inputs.maxRedirects).toBe(5);
    expect(inputs.timeoutMs).toBe(600_000);
    expect(inputs.maxLatencyMs).toBeUndefined();
    expect(inputs.targetGroupArns).toEqual([]);
    expect(inputs.waitForTargets).toBe(true);
    expect(inputs.targetHealthTimeoutMs).toBe(300_000);
  });

  it('joins paths to a base URL', () => {
    const inputs = readInputs(reader({ url: 'https://api.example.org/v1/', paths: '/health\nversion?full=1' }));

    expect(inputs.urls.map((url) => url.href)).toEqual(['https://api.example.org/v1/health', 'https://api.example.org/v1/version?full=1']);
  });

  it('reads request settings', () => {
    const inputs = readInputs(
      reader({
        url: 'https://internal-quiz-123.ap-south-1.elb.amazonaws.com/health',
        method: 'head',
        headers: 'Authorization: Bearer a:b=c\n# comment\nX-Trace: 1',
        host: 'quiz-testing.example.org',
        'tls-server-name': 'quiz.internal',
        insecure: 'true',
        'expected-body': '/"status":\\s*"ok"/i',
        'max-latency': '800ms',
        timeout: '2m',
        'follow-redirects': 'true',
        'max-redirects': '3',
        'version-json-path': '$.build.sha',
        'target-group-arn': 'arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz/0a1b',
        'wait-for-targets': 'false',
        'target-health-timeout': '90s',
      }),
    );

    expect(inputs.method).toBe('HEAD');
    expect([...inputs.headers]).toEqual([
      ['authorization', 'Bearer a:b=c'],
      ['x-trace', '1'],
    ]);
    expect(inputs.host).toBe('quiz-testing.example.org');
    expect(inputs.tlsServerName).toBe('quiz.internal');
    expect(inputs.insecure).toBe(true);
    expect(inputs.expectedBody?.kind).toBe('regex');
    expect(inputs.maxLatencyMs).toBe(800);
    expect(inputs.timeoutMs).toBe(120_000);
    expect(inputs.followRedirects).toBe(true);
    expect(inputs.maxRedirects).toBe(3);
    expect(inputs.versionJsonPath).toEqual({ text: '$.build.sha', segments: ['build', 'sha'] });
    expect(inputs.targetGroupArns).toEqual(['arn:aws:elasticloadbalancing:ap-south-1:123456789012:targetgroup/quiz/0a1b']);
    expect(inputs.waitForTargets).toBe(false);
    expect(inputs.targetHealthTimeoutMs).toBe(90_000);
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
    ['url', { url: 'http://a.example/,http://b.example/', paths: '/health' }, 'must be one base URL'],
    ['url', { url: 'http://a.example/?x=1', paths: '/health' }, 'has a query or fragment'],
    ['paths', { url: 'http://a.example/', paths: 'https://b.example/health' }, 'is a URL, not a path'],
    ['method', { url: 'http://a.example/', method: 'GET /' }, 'is not an HTTP method'],
    ['method', { url: 'http://a.example/', method: 'connect' }, 'CONNECT opens a tunnel'],
    ['headers', { url: 'http://a.example/', headers: 'Authorization Bearer x' }, 'line 1 is not "Name: value"'],
    ['headers', { url: 'http://a.example/', headers: 'Host: a.example' }, 'Use the host input'],
    ['headers', { url: 'http://a.example/', headers: 'X-A: 1\nx-a: 2' }, 'header "x-a" is given twice (line 2)'],
    ['host', { url: 'http://a.example/', host: 'https://a.example/' }, 'is not a host name'],
    ['tls-server-name', { url: 'http://a.example/', 'tls-server-name': 'a b' }, 'is not a host name'],
    ['insecure', { url: 'http://a.example/', insecure: 'maybe' }, '"maybe"'],
    ['expected-body', { url: 'http://a.example/', 'expected-body': '/(unclosed/' }, 'is not a valid regular expression'],
    ['max-latency', { url: 'http://a.example/', 'max-latency': 'fast' }, 'is not a duration'],
    ['timeout', { url: 'http://a.example/', timeout: '0s' }, 'too short'],
    ['max-redirects', { url: 'http://a.example/', 'max-redirects': '0' }, 'below the minimum 1'],
    ['version-json-path', { url: 'http://a.example/', 'version-json-path': 'build..sha' }, 'is not a JSON path'],
    ['target-group-arn', { url: 'http://a.example/', 'target-group-arn': 'quiz-backend-testing' }, 'is not a target group ARN'],
    ['target-health-timeout', { url: 'http://a.example/', 'target-health-timeout': '5 minutes' }, 'is not a duration'],
    ['service', { url: 'http://a.example/', cluster: 'main' }, 'Set both cluster and service'],
  ])('rejects bad %s', (input, values, fragment) => {
    const error = inputErrorOf(values);

    expect(error.input).toBe(input);
    expect(error.message).toContain(`Input "${input}"`);
    expect(error.message).toContain(fragment);
  });

  it('never prints a header value', () => {
    const error = inputErrorOf({ url: 'http://a.example/', headers: 'X-Api-Key: k3yvalue\nx-api-key: k3yvalue' });

    expect(error.message).not.toContain('k3yvalue');
  });

  it('never prints a URL password', () => {
    const error = inputErrorOf({ url: 'ftp://user:hunter22@example.org/' });

    expect(error.message).not.toContain('hunter22');
  });
});

describe('parseJsonPath', () => {
  it.each([
    ['version', ['version']],
    ['$.build.version', ['build', 'version']],
    ['$.items[0].sha', ['items', 0, 'sha']],
    ['[1]', [1]],
  ])('parses %s', (text, segments) => {
    expect(parseJsonPath('version-json-path', text)).toEqual(segments);
  });

  it('reads nested values', () => {
    const document = { items: [{ sha: 'abc' }], build: { version: 7 } };

    expect(readJsonPath(document, ['items', 0, 'sha'])).toBe('abc');
    expect(readJsonPath(document, ['build', 'version'])).toBe(7);
    expect(readJsonPath(document, ['build', 'missing'])).toBeUndefined();
    expect(readJsonPath(document, ['items', 'sha'])).toBeUndefined();
  });
});

describe('parseBodyMatcher', () => {
  it('reads /regex/ and substrings', () => {
    const regex = parseBodyMatcher('expected-body', '/^ok$/im');
    const substring = parseBodyMatcher('expected-body', 'ok');

    expect(regex?.kind).toBe('regex');
    expect(matchesBody(regex as BodyMatcher, 'status\nOK')).toBe(true);
    expect(matchesBody(regex as BodyMatcher, 'status: broken')).toBe(false);
    expect(substring).toEqual({ kind: 'substring', text: 'ok' });
    expect(parseBodyMatcher('expected-body', '  ')).toBeUndefined();
  });

  it('drops stateful flags', () => {
    const matcher = parseBodyMatcher('expected-body', '/ok/g');

    expect(matcher?.kind).toBe('regex');
    expect(matcher?.kind === 'regex' ? matcher.regex.flags : undefined).toBe('');
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
