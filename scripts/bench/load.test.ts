/**
 * The load harness's judgement: what counts as served at a rate, when memory
 * counts as flat, and that a step counts every answer and every error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeSoak, runStep, served, type MemorySample, type StepResult } from './load.ts';

const step = (over: Partial<StepResult> & { p99?: number }): StepResult => ({
  offered: 100,
  achieved: 100,
  requests: 1000,
  errors: 0,
  errorRate: 0,
  latencyMs: { samples: 1000, p50: 1, p95: 2, p99: over.p99 ?? 3, max: 9, mean: 1.2 },
  statuses: { '200': 1000 },
  ...over,
});

describe('served', () => {
  it('a rate achieved with few errors and a bounded tail is served', () => {
    expect(served(step({}), 3)).toBe(true);
  });
  it('a rate achieved below 90 %, with 1 % errors or a p99 past 5× the baseline is past the knee', () => {
    expect(served(step({ achieved: 89 }), 3)).toBe(false);
    expect(served(step({ errorRate: 0.01 }), 3)).toBe(false);
    expect(served(step({ p99: 16 }), 3)).toBe(false);
  });
});

const samples = (mb: (t: number) => number, seconds: number): MemorySample[] =>
  Array.from({ length: seconds / 5 + 1 }, (_, i) => ({ atSeconds: i * 5, apiRssMb: mb(i * 5), apiHeapMb: 0, functionsRssMb: 100 }));

describe('judgeSoak', () => {
  it('memory that settles after warm-up is flat', () => {
    const verdict = judgeSoak(samples((t) => (t < 60 ? 150 + t : 210 + (t % 10 === 0 ? 2 : -2)), 600));
    expect(verdict.flat).toBe(true);
    expect(Math.abs(verdict.growthMb)).toBeLessThan(5);
  });
  it('memory that keeps growing is not flat, and its slope says how fast', () => {
    const verdict = judgeSoak(samples((t) => 200 + t / 6, 600)); // 10 MB a minute
    expect(verdict.flat).toBe(false);
    expect(verdict.slopeMbPerMinute).toBeCloseTo(10, 0);
    expect(verdict.growthMb).toBeGreaterThan(64);
  });
});

describe('runStep', () => {
  let server: Server;
  let url: string;
  let n = 0;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      n += 1;
      res.statusCode = n % 2 === 0 ? 503 : 200;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts every answer by status, and non-2xx answers as errors', async () => {
    const result = await runStep(url, { method: 'GET', path: '/' }, 200, 1, 2);
    expect(result.requests).toBeGreaterThan(20);
    expect((result.statuses['200'] ?? 0) + (result.statuses['503'] ?? 0)).toBe(result.requests);
    expect(result.errors).toBe(result.statuses['503']);
    expect(result.errorRate).toBeGreaterThan(0.3);
    expect(result.errorRate).toBeLessThan(0.7);
    expect(result.latencyMs.samples).toBe(result.requests);
  });
});
