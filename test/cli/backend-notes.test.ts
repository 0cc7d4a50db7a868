// The backend's notes for a run's header: a software WebGPU adapter (SwiftShader) is named as such with the advice
// to use wasm; the cpu backend no longer prints tfjs's advice to install tfjs-node (which cannot be installed here).
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { backendNotes, ensureBackend } from '../../engine/node/backend';

describe('backend notes', () => {
  it('a software WebGPU adapter gets a note suggesting wasm; a real GPU and the other backends none', () => {
    const [note] = backendNotes({ name: 'webgpu', adapter: 'google swiftshader', fallbacks: [] });
    expect(note).toMatch(/"google swiftshader" is a software renderer/);
    expect(note).toContain('--backend wasm');
    expect(backendNotes({ name: 'webgpu', adapter: 'nvidia ampere', fallbacks: [] })).toEqual([]);
    expect(backendNotes({ name: 'wasm', adapter: 'WebAssembly (XNNPACK)', fallbacks: [] })).toEqual([]);
  });

  it('cpu: no tfjs-node advice, and the PROD flag is as it was', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const info = await ensureBackend('cpu');
      expect([info.name, info.notes]).toEqual(['cpu', []]);
      tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync());
      expect(warn.mock.calls.flat().join(' ')).not.toMatch(/tfjs-node/);
      expect(tf.env().getBool('PROD')).toBe(false); // the flag is back as it was
    } finally {
      warn.mockRestore();
    }
  });
});
