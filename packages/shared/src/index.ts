export * from './action.ts';
export * from './aws.ts';
export * from './errors.ts';
export * from './image-reference.ts';
export * from './inputs.ts';
export * from './poll.ts';
export * from './report.ts';
export * from './task-definition.ts';
