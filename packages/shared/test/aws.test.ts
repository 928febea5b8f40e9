import { describe, expect, it } from '@jest/globals';

import { ActionError, awsConfigFromEnvironment, explainAwsError, maskValues, markdownTable } from '../src/index.ts';

describe('awsConfigFromEnvironment', () => {
  it('reads region and endpoint', () => {
    const config = awsConfigFromEnvironment({ AWS_REGION: 'ap-south-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }, 'ECS', 'deploy');
    expect(config.region).toBe('ap-south-1');
    expect(config.endpoint).toBe('http://127.0.0.1:5000');
    expect(config.retryMode).toBe('adaptive');
  });

  it('prefers the service-specific endpoint', () => {
    const config = awsConfigFromEnvironment(
      { AWS_DEFAULT_REGION: 'eu-west-1', AWS_ENDPOINT_URL: 'http://a', AWS_ENDPOINT_URL_ECR: 'http://b' },
      'ECR',
      'promote',
    );
    expect(config.endpoint).toBe('http://b');
    expect(config.region).toBe('eu-west-1');
  });

  it('names the fix when the region is missing', () => {
    expect(() => awsConfigFromEnvironment({}, 'ECS', 'deploy')).toThrow('No AWS region is set');
  });
});

describe('explainAwsError', () => {
  it('names expired credentials', () => {
    const error = Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException' });
    const explained = explainAwsError(error, 'DescribeServices');
    expect(explained).toBeInstanceOf(ActionError);
    expect((explained as Error).message).toContain('AWS credentials are expired or invalid');
  });

  it('passes other errors through', () => {
    const error = Object.assign(new Error('boom'), { name: 'ServerException' });
    expect(explainAwsError(error, 'DescribeServices')).toBe(error);
  });
});

describe('maskValues', () => {
  it('masks each line and skips short values', () => {
    const masked: string[] = [];
    maskValues(['mongodb+srv://u:p@h/db', 'line-one\nline-two', 'on'], (value) => masked.push(value));
    expect(masked).toContain('mongodb+srv://u:p@h/db');
    expect(masked).toContain('line-one');
    expect(masked).toContain('line-two');
    expect(masked).not.toContain('on');
  });

  it('registers each value once', () => {
    const masked: string[] = [];
    maskValues(['token-value', 'token-value'], (value) => masked.push(value));
    expect(masked).toEqual(['token-value']);
  });
});

describe('markdownTable', () => {
  it('escapes pipes and newlines', () => {
    expect(markdownTable(['a', 'b'], [['x|y', 'p\nq']])).toBe('| a | b |\n| --- | --- |\n| x\\|y | p<br>q |');
  });
});
