import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChart, esc, lineChart } from './charts';
import { renderHtmlReport } from './html-report';
import { sampleFigures } from './fixtures';

describe('the HTML report', () => {
  const html = renderHtmlReport(sampleFigures());

  it('is one self-contained document: no script, nothing fetched', () => {
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)=["']?(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import|url\(/i);
  });

  it('shows the headline numbers', () => {
    assert.match(html, /10 shoppers, 3 units/);
    assert.match(html, /<b>25\/s<\/b><span>accepted \(202\): 3<\/span>/);
    assert.match(html, /<b>103\/s<\/b><span>sold-out rejections \(409\): 6<\/span>/);
    assert.match(html, /<b>299 ms<\/b><span>click → pushed outcome, p50 \(p99 398 ms\)<\/span>/);
    assert.match(html, /<td>409 SOLD_OUT<\/td><td class="num">6<\/td>/);
    assert.match(html, /<td>click → pushed outcome<\/td><td class="num">3<\/td><td class="num">299<\/td>/);
  });

  it('shows the retries, and who gave up', () => {
    assert.match(html, /<h2>Retries<\/h2>\n<p class="sub">none needed \(no 503 TRY_AGAIN\)<\/p>/);
    const f = sampleFigures();
    f.retries = { ...f.retries, retried: 7, shoppers: 5, settled: 4, gaveUp: 1, gaveUpOutOfRetries: 1, attemptsPerShopper: [['1', 5], ['2', 4], ['6', 1]] };
    const retried = renderHtmlReport(f);
    assert.match(retried, /<td>503 TRY_AGAIN answers retried \(same requestId\)<\/td><td class="num">7<\/td>/);
    assert.match(retried, /<td>gave up on 503 TRY_AGAIN \(out of retries \/ out of time\)<\/td><td class="num bad">1 \(1 \/ 0\)<\/td>/);
    assert.match(retried, /<td>shoppers with 6 attempts<\/td><td class="num">1<\/td>/);
  });

  it('says FAIL and lists the invariants', () => {
    assert.match(html, /FAIL: an invariant does not hold/);
    assert.match(html, /<td class="ok">ok<\/td><td>sold = stock<\/td>/);
    assert.match(html, /<td class="bad">FAIL<\/td><td>every order request was answered<\/td>/);
  });

  it('draws the latency histogram and the throughput chart as inline SVG', () => {
    assert.equal(html.match(/<svg /g)?.length, 4, 'throughput, running totals, click→outcome, HTTP latency');
    assert.match(html, /<polyline[^>]*><title>202 accepted<\/title>/);
    assert.match(html, /<rect [^>]*fill="#1565c0"><title>click → pushed outcome: 1 in /);
  });

  it('escapes what it did not write itself', () => {
    assert.equal(esc(`<a href="x">&'`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const f = sampleFigures();
    f.run.command = 'npm run loadtest -- --report "<x>.html"';
    assert.match(renderHtmlReport(f), /--report &quot;&lt;x&gt;\.html&quot;/);
  });
});

describe('charts', () => {
  it('scales bars to the tallest bucket and labels the axes', () => {
    const svg = barChart({ title: 't', edges: [0, 10], width: 10, groups: [{ name: 'g', color: '#000', counts: [5, 10] }], xLabel: 'milliseconds', yLabel: 'n', unit: 'ms' });
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.equal(heights.length, 2);
    assert.ok(Math.abs(heights[1]! - 2 * heights[0]!) < 1, `bar of 10 is twice the bar of 5 (${heights})`);
    assert.match(svg, />milliseconds</);
    assert.match(svg, />20</, 'the last edge');
  });

  it('draws each rate bin as a flat step', () => {
    const svg = lineChart({ title: 't', t: [0, 100], binMs: 100, series: [{ name: 's', color: '#000', values: [10, 20] }], xLabel: 'x', yLabel: 'y' });
    const points = /points="([^"]+)"/.exec(svg)![1]!.split(' ');
    assert.equal(points.length, 4);
    assert.equal(points[0]!.split(',')[1], points[1]!.split(',')[1]);
  });

  it('says so when there is nothing to draw', () => {
    assert.match(barChart({ title: 't', edges: [], width: 1, groups: [], xLabel: '', yLabel: '', unit: '' }), /No data/);
  });
});
