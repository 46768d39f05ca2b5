// A client's timeline during a failover: one lane per node, a mark for every answer, gaps in red.
import type { RunResult } from './scenarios.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

export function timelineSvg(run: RunResult, title: string): string {
  const nodes = [...new Set(run.samples.filter((s) => s.who).map((s) => s.who!))].sort();
  const from = run.failureAt - 1000;
  const to = Math.min(Math.max(...run.samples.map((s) => s.t), run.failureAt + 1000), run.failureAt + run.outageMs + 2000);
  run = { ...run, samples: run.samples.filter((s) => s.t >= from && s.t <= to) };
  const width = 900;
  const left = 90;
  const lane = 28;
  const top = 40;
  const height = top + lane * (nodes.length + 1) + 40;
  const x = (t: number): number => left + ((t - from) / (to - from)) * (width - left - 20);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escape(title)}</text>`,
  ];
  nodes.forEach((n, i) => parts.push(`<text x="8" y="${top + lane * i + 17}">${n}</text>`));
  parts.push(`<text x="8" y="${top + lane * nodes.length + 17}" fill="#d62728">no answer</text>`);
  for (const s of run.samples) {
    const i = s.who ? nodes.indexOf(s.who) : nodes.length;
    const color = s.who ? COLORS[i % COLORS.length]! : '#d62728';
    parts.push(`<rect x="${x(s.t).toFixed(1)}" y="${top + lane * i + 4}" width="2" height="${lane - 8}" fill="${color}"/>`);
  }
  const fx = x(run.failureAt);
  parts.push(`<line x1="${fx}" y1="${top - 6}" x2="${fx}" y2="${top + lane * (nodes.length + 1)}" stroke="black" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${fx + 4}" y="${top - 8}">failure of ${run.failedNode}</text>`);
  const axisY = top + lane * (nodes.length + 1) + 14;
  for (let t = Math.ceil((from - run.failureAt) / 1000) * 1000; t <= to - run.failureAt; t += 1000) {
    parts.push(`<text x="${x(run.failureAt + t).toFixed(1)}" y="${axisY}" text-anchor="middle">${t / 1000} s</text>`);
  }
  parts.push(`<text x="${left}" y="${axisY + 18}">client outage ${run.outageMs} ms; probe every 10 ms, 50 ms timeout</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}
