import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSidecar, mainDone, mainStarted, phaseOf, prestartDone, readyForPoststop, restartsOnSuccess, type TaskView } from '../../src/runner/lifecycle.js';
import type { Task } from '../../src/jobspec/types.js';
import { task } from '../scheduler/builders.js';

const t = (name: string, hook?: string, sidecar = false): Task => task({ name, lifecycle: hook ? { hook, sidecar } : null });
const v = (tk: Task, state: TaskView['state'], failed = false, started = state !== 'pending'): TaskView => ({ task: tk, state, failed, started });

const init = t('init', 'prestart');
const side = t('side', 'prestart', true);
const main = t('main');
const post = t('post', 'poststart');
const stop = t('stop', 'poststop');

test('phases and sidecars', () => {
  assert.deepEqual([init, side, main, post, stop].map(phaseOf), ['prestart', 'prestart', 'main', 'poststart', 'poststop']);
  assert.deepEqual([init, side, main, post, stop].map(isSidecar), [false, true, false, false, false]);
  // Nomad's restart tracker: only main tasks and sidecars restart after a successful exit.
  assert.deepEqual([init, side, main, post, stop].map(restartsOnSuccess), [false, true, true, false, false]);
});

test('prestart gate: ephemeral completed successfully, sidecar started', () => {
  assert.equal(prestartDone([v(init, 'running'), v(side, 'running'), v(main, 'pending')]), false);
  assert.equal(prestartDone([v(init, 'dead'), v(side, 'pending'), v(main, 'pending')]), false);
  assert.equal(prestartDone([v(init, 'dead'), v(side, 'running'), v(main, 'pending')]), true);
  assert.equal(prestartDone([v(init, 'dead', true), v(side, 'running')]), false);
  // A sidecar waiting out a restart delay has started before: the gate holds.
  assert.equal(prestartDone([v(init, 'dead'), v(side, 'pending', false, true)]), true);
  assert.equal(prestartDone([v(main, 'pending')]), true);
});

test('poststart after every main task started; poststop after all else is dead', () => {
  const main2 = t('main2');
  assert.equal(mainStarted([v(main, 'running'), v(main2, 'pending')]), false);
  assert.equal(mainStarted([v(main, 'running'), v(main2, 'dead')]), true);
  assert.equal(mainDone([v(main, 'dead'), v(main2, 'running'), v(side, 'running')]), false);
  assert.equal(mainDone([v(main, 'dead'), v(main2, 'dead'), v(side, 'running')]), true);
  assert.equal(readyForPoststop([v(main, 'dead'), v(side, 'running'), v(stop, 'pending')]), false);
  assert.equal(readyForPoststop([v(main, 'dead'), v(side, 'dead'), v(stop, 'pending')]), true);
});
