import { describe, expect, it } from '@jest/globals';

import type {
  InputError} from '../src/index.ts';
import {
  parseArn,
  parseBoolean,
  parseDuration,
  parseInteger,
  parseKeyValueLines,
  parseList,
  parseStructured,
  requiredString,
} from '../src/index.ts';

describe('requiredString', () => {
  it('trims the value', () => {
    expect(requiredString('cluster', '  quiz  ')).toBe('quiz');
  });

  it('names the input when empty', () => {
    expect(() => requiredString('cluster', ' ')).toThrow('Input "cluster": is required');
  });
});

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['False', false],
    ['yes', true],
    ['0', false],
    ['', true],
  ])('reads %p', (raw, expected) => {
    expect(parseBoolean('wait', raw, true)).toBe(expected);
  });

  it('rejects other words', () => {
    expect(() => parseBoolean('wait', 'maybe', false)).toThrow('Input "wait": "maybe" is not a boolean. Use true or false.');
  });
});

describe('parseInteger', () => {
  it('reads a number in range', () => {
    expect(parseInteger('attempts', '5', 1, { min: 1 })).toBe(5);
  });

  it('falls back when empty', () => {
    expect(parseInteger('attempts', '', 3)).toBe(3);
  });

  it('rejects a fraction', () => {
    expect(() => parseInteger('attempts', '2.5', 1)).toThrow('"2.5" is not a whole number');
  });

  it('rejects a value below the minimum', () => {
    expect(() => parseInteger('attempts', '0', 1, { min: 1 })).toThrow('0 is below the minimum 1');
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5s', 1_500],
    ['', 42],
  ])('reads %p', (raw, expected) => {
    expect(parseDuration('timeout', raw, 42)).toBe(expected);
  });

  it.each(['30', 'ten minutes', '10m junk', 's', '-5s'])('rejects %p', (raw) => {
    expect(() => parseDuration('timeout', raw, 0)).toThrow('Input "timeout":');
  });
});

describe('parseList', () => {
  it('splits on newlines and commas', () => {
    expect(parseList('v1.2.3\nstaging, prod\n\n# comment\n')).toEqual(['v1.2.3', 'staging', 'prod']);
  });
});

describe('parseKeyValueLines', () => {
  it('splits on the first equals sign', () => {
    const map = parseKeyValueLines('environment', 'A=1\nURL=mongodb://h/db?x=y&w=majority\n');
    expect(map.get('A')).toBe('1');
    expect(map.get('URL')).toBe('mongodb://h/db?x=y&w=majority');
  });

  it('keeps an empty value', () => {
    expect(parseKeyValueLines('environment', 'EMPTY=').get('EMPTY')).toBe('');
  });

  it('rejects a line without a name, without echoing it', () => {
    let message = '';
    try {
      parseKeyValueLines('secrets', 'A=1\nsupersecretvalue');
    } catch (error) {
      message = (error as InputError).message;
    }
    expect(message).toContain('line 2 is not KEY=VALUE');
    expect(message).not.toContain('supersecretvalue');
  });

  it('rejects a repeated name', () => {
    expect(() => parseKeyValueLines('environment', 'A=1\nA=2')).toThrow('"A" is given twice (line 2)');
  });
});

describe('parseStructured', () => {
  it('reads JSON and YAML', () => {
    expect(parseStructured('x', '{"a": 1}')).toEqual({ a: 1 });
    expect(parseStructured('x', 'a: 1\nb: [2]')).toEqual({ a: 1, b: [2] });
  });

  it('reports the line and column of a syntax error', () => {
    expect(() => parseStructured('containers', 'a: 1\nb: [2\n')).toThrow(/Input "containers": is not valid YAML or JSON at line \d+, column \d+/);
  });
});

describe('parseArn', () => {
  it('splits a task definition ARN', () => {
    expect(parseArn('x', 'arn:aws:ecs:ap-south-1:123456789012:task-definition/quiz:41')).toEqual({
      partition: 'aws',
      service: 'ecs',
      region: 'ap-south-1',
      accountId: '123456789012',
      resource: 'task-definition/quiz:41',
    });
  });

  it('rejects a non-ARN', () => {
    expect(() => parseArn('task-definition', 'quiz:41')).toThrow('Input "task-definition": "quiz:41" is not an ARN');
  });
});
