import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from '@jest/globals';

import { checkTemplates, fillTemplate, fillValue, flowPicker, parseScenario, readPath } from '../src/scenario.ts';

const SCENARIO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

describe('parseScenario', () => {
  it('reads the built-in read scenario', () => {
    const scenario = parseScenario(readFileSync(path.join(SCENARIO_DIR, 'read.yaml'), 'utf8'), 'read.yaml');
    expect(scenario.name).toBe('read');
    expect(scenario.writes).toBe(false);
    expect(scenario.flows.map((flow) => [flow.name, flow.weight, flow.steps[0]?.method])).toEqual([
      ['get-quiz', 8, 'GET'],
      ['preflight', 2, 'GET'],
      ['get-questions', 4, 'GET'],
      ['health', 1, 'GET'],
    ]);
  });

  it('reads the built-in session scenario', () => {
    const scenario = parseScenario(readFileSync(path.join(SCENARIO_DIR, 'session.yaml'), 'utf8'), 'session.yaml');
    expect(scenario.writes).toBe(true);
    const steps = scenario.flows[0]?.steps ?? [];
    expect(steps.map((step) => step.name)).toEqual(['get-quiz', 'create-session', 'start-session', 'answer', 'heartbeat', 'answer', 'heartbeat', 'answer', 'end-session']);
    expect(steps[1]).toMatchObject({ method: 'POST', path: '/sessions/', extract: { sessionId: '_id' }, expectStatus: [200, 201] });
  });

  it('infers writes from the methods', () => {
    const scenario = parseScenario('name: w\nrequests:\n  - name: create\n    method: post\n    path: /items', 'w.yaml');
    expect(scenario.writes).toBe(true);
    expect(scenario.flows[0]?.steps[0]?.method).toBe('POST');
  });

  it.each([
    ['name: x', 'x.yaml: has no "requests" and no "flows"'],
    ['requests: []', 'x.yaml: "name" must be a short name'],
    ['name: x\nwrites: false\nrequests:\n  - {name: a, method: DELETE, path: /a}', '"writes: false" but a step uses POST'],
    ['name: x\nrequests:\n  - {name: a, path: http://other.example/a}', 'requests[0].path must start with "/"'],
    ['name: x\nrequests:\n  - {name: a, path: /a, headers: {Host: other.example}}', 'sets "host"'],
    ['name: x\nrequests:\n  - {name: a, method: TRACE, path: /a}', 'method "TRACE" is not one of'],
    ['name: x\nrequests:\n  - {name: a, path: /a, weight: 0}', 'requests[0].weight must be a positive number'],
    ['name: x\nflows:\n  - {name: f, steps: []}', 'flows[0].steps must be a non-empty list'],
    ['name: [', 'x.yaml is not valid YAML'],
  ])('rejects %j', (text, message) => {
    expect(() => parseScenario(text, 'x.yaml')).toThrow(message);
  });
});

describe('templates', () => {
  const context = { runId: 'lt-7-1', iteration: 12, variables: { quizId: 'q1', sessionId: 's9' }, random: () => 0.5 };

  it('fills run, iteration and variables', () => {
    expect(fillTemplate('/sessions/{{sessionId}}/answers?u={{ userId }}&i={{iteration}}', context)).toBe('/sessions/s9/answers?u=lt-7-1-user-12&i=12');
    expect(fillTemplate('{{random 0 3}}', context)).toBe('2');
    expect(fillTemplate('{{uuid}}', context)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('fills nested bodies', () => {
    expect(fillValue({ quizId: '{{quizId}}', answers: [{ index: 0, user: '{{userId}}' }], count: 3 }, context)).toEqual({ quizId: 'q1', answers: [{ index: 0, user: 'lt-7-1-user-12' }], count: 3 });
  });

  it('rejects an unknown name', () => {
    expect(() => fillTemplate('/quizzes/{{quiz}}', context)).toThrow('Template "{{quiz}}" names no variable. Known: runId, iteration, userId, uuid, random, quizId, sessionId.');
  });

  it('reads dot paths', () => {
    expect(readPath({ session: { id: 's1' }, items: [{ id: 'i0' }] }, 'session.id')).toBe('s1');
    expect(readPath({ items: [{ id: 'i0' }] }, 'items.0.id')).toBe('i0');
    expect(readPath({ id: 1 }, 'missing.id')).toBeUndefined();
  });
});

describe('checkTemplates', () => {
  it('accepts the built-in scenarios', () => {
    for (const name of ['read', 'session']) {
      const scenario = parseScenario(readFileSync(path.join(SCENARIO_DIR, `${name}.yaml`), 'utf8'), name);
      expect(() => checkTemplates(scenario, name)).not.toThrow();
    }
  });

  it('rejects a value used before extraction', () => {
    const scenario = parseScenario('name: x\nflows:\n  - name: f\n    steps:\n      - {name: use, method: POST, path: "/s/{{sessionId}}"}\n      - {name: create, method: POST, path: /s, extract: {sessionId: id}}', 'x.yaml');
    expect(() => checkTemplates(scenario, 'x.yaml')).toThrow('x.yaml: step "use" of flow "f": Template "{{sessionId}}" names no variable.');
  });
});

describe('flowPicker', () => {
  it('picks by weight', () => {
    const flows = [
      { name: 'a', weight: 3, steps: [] },
      { name: 'b', weight: 1, steps: [] },
    ];
    const draws = [0, 0.5, 0.74, 0.75, 0.99];
    let index = 0;
    const pick = flowPicker(flows, () => draws[index++] as number);
    expect(draws.map(() => pick().name)).toEqual(['a', 'a', 'a', 'b', 'b']);
  });
});
