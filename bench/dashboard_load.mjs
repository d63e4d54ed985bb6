// Loads dashboard pages in headless Chromium (Debian's, via playwright-core) and prints, per page,
// the median navigation responseStart and loadEventEnd over 20 loads, as JSON.
//   node dashboard_load.mjs PLAYWRIGHT_CORE_INDEX_MJS URL PATH...
const [playwright, url, ...paths] = process.argv.slice(2);
const { chromium } = await import(playwright);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const page = await browser.newPage();
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
const out = {};
for (const path of paths) {
  const start = [], load = [];
  for (let i = 0; i < 21; ++i) {
    await page.goto(url + path, { waitUntil: 'load' });
    const timing = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return { start: nav.responseStart - nav.requestStart, load: nav.loadEventEnd };
    });
    if (i === 0) continue;  // the first load warms the browser
    start.push(timing.start);
    load.push(timing.load);
  }
  out[path] = { response_start_ms: median(start), load_ms: median(load) };
}
await browser.close();
console.log(JSON.stringify(out));
