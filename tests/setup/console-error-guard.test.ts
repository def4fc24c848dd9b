import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConsoleErrorRecorder } from './console-error-guard.ts';

describe('ConsoleErrorRecorder', () => {
  const recorder = new ConsoleErrorRecorder();
  afterEach(() => {
    recorder.restore();
    vi.restoreAllMocks();
  });

  it('reports each console.error once, with its arguments, and passes it on', () => {
    const underlying = vi.spyOn(console, 'error').mockImplementation(() => {});
    recorder.install();
    console.error('render failed:', new Error('boom'), { id: 7 });
    const report = recorder.take();
    expect(report).toMatch(/^console\.error was called during the test:\nrender failed: Error: boom/);
    expect(report).toContain('{"id":7}');
    expect(underlying).toHaveBeenCalledTimes(1);
    expect(recorder.take()).toBeNull();
  });

  it('sees nothing a test replaced console.error to expect', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    recorder.install();
    const expected = vi.spyOn(console, 'error').mockImplementation(() => {});
    console.error('expected failure');
    expect(expected).toHaveBeenCalledWith('expected failure');
    expect(recorder.take()).toBeNull();
  });

  it('restores the console.error it replaced', () => {
    const underlying = vi.spyOn(console, 'error').mockImplementation(() => {});
    recorder.install();
    expect(console.error).not.toBe(underlying);
    recorder.restore();
    expect(console.error).toBe(underlying);
  });
});
