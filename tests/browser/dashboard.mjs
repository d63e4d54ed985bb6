// The dashboard in a real browser: Debian's chromium, headless, driven by playwright-core (no
// browser download). Run by tests/cli/dashboard_browser.sh against a real `zooci serve` whose
// jobs come from the example zoo's submissions.
//
//   node dashboard.mjs URL SCREENSHOT_DIR ADMIN_TOKEN DECLINED_JOB HOSTILE_JOB MODEL_PATH \
//     DETECTOR_PATH SEGMENTER_PATH
//
// MODEL_PATH is a classifier's folder, DETECTOR_PATH a detector's, SEGMENTER_PATH a semantic
// segmentation model's: each model page charts its task's figure against the claim.
// Exits non-zero with one line per failed expectation.
import { chromium } from 'playwright-core';

const [url, shots, adminToken, declinedJob, hostileJob, modelPath, detectorPath, segmenterPath] =
  process.argv.slice(2);
const failures = [];
const expect = (ok, what) => { if (!ok) failures.push(what); };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
// Any dialog (alert, confirm) is injected script running: a failure, and dismissed.
const dialogs = [];
page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
const pageErrors = [];
page.on('pageerror', (error) => pageErrors.push(String(error)));

// Scripts on the page other than the one the server ships, and elements a payload would create.
async function injected() {
  return page.evaluate(() => ({
    scripts: [...document.querySelectorAll('script')]
      .filter((s) => s.getAttribute('src') !== '/static/zooci.js').length,
    images: document.querySelectorAll('img[src="x"], img[onerror]').length,
    handlers: [...document.querySelectorAll('*')]
      .filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    marked: typeof window.zooci_pwned !== 'undefined',
  }));
}

async function noInjection(where) {
  const found = await injected();
  expect(found.scripts === 0, `${where}: ${found.scripts} injected <script> elements`);
  expect(found.images === 0, `${where}: ${found.images} injected <img> elements`);
  expect(found.handlers === 0, `${where}: ${found.handlers} elements with on* handlers`);
  expect(!found.marked, `${where}: an injected script ran`);
}

// The chart in FIGURE as the browser drew it: its title, legend, the points' tooltips, the dashed
// claim lines' tooltips and y, and each series' newest point's y (by the point's series name).
async function chartOf(figure) {
  return page.locator(`${figure} svg`).evaluate((svg) => {
    const circles = [...svg.querySelectorAll('circle')];
    const lastY = {};
    for (const circle of circles) {
      const [, name] = /^job \d+: (.+) [-\d.e+]+ %$/.exec(circle.textContent.trim()) || [];
      if (name) lastY[name] = Number(circle.getAttribute('cy'));
    }
    const claim = svg.querySelector('line[stroke-dasharray]');
    return {
      title: svg.querySelector('title').textContent,
      legend: [...svg.querySelectorAll(':scope > text')].map((t) => t.textContent),
      points: circles.map((c) => c.textContent.trim()),
      claims: [...svg.querySelectorAll('line[stroke-dasharray]')].map((l) => l.textContent.trim()),
      claimY: claim ? Number(claim.getAttribute('y1')) : NaN,
      lastY,
    };
  });
}

try {
  // The overview lists the jobs: the declined and the hostile one among them.
  let response = await page.goto(url + '/');
  expect(response.status() === 200, `overview: HTTP ${response.status()}`);
  const rows = await page.locator('#zooci-jobs tbody tr').count();
  expect(rows >= 3, `overview lists ${rows} jobs`);
  expect(await page.locator(`#zooci-jobs a[href="/jobs/${declinedJob}"]`).count() === 1,
         'overview: no link to the declined job');
  // A PR title and a branch name carrying markup are shown as text.
  const titles = await page.locator('#zooci-jobs .zooci-title').allTextContents();
  expect(titles.some((t) => t.includes('<script>zooci_pwned=1</script>')),
         `overview: the hostile title is not shown as text: ${JSON.stringify(titles)}`);
  const branches = await page.locator('#zooci-jobs .zooci-branch').allTextContents();
  expect(branches.some((t) => t.includes('<svg/onload=zooci_pwned=1>')),
         `overview: the hostile branch is not shown as text: ${JSON.stringify(branches)}`);
  await noInjection('overview');
  await page.screenshot({ path: `${shots}/overview.png`, fullPage: true });

  // The declined submission's job page: the verdict first, its reasons linked to GitHub.
  response = await page.goto(`${url}/jobs/${declinedJob}`);
  expect(response.status() === 200, `job page: HTTP ${response.status()}`);
  expect((await page.locator('#zooci-verdict').textContent()).trim() === 'DECLINE',
         'job page: the verdict is not DECLINE');
  const reasons = page.locator('ul.zooci-reasons li');
  expect(await reasons.count() >= 1, 'job page: no declining reason listed');
  const href = await page.locator('a.zooci-reason-link').first().getAttribute('href');
  expect(/^https:\/\/github\.com\/example\/zoo\/blob\/[0-9a-f]{40}\/.+#L\d+$/.test(href || ''),
         `job page: reason link ${href}`);
  expect(await page.locator('#zooci-log').textContent().then((t) => t.includes('review the folders')),
         'job page: no log');
  expect(await page.locator('#zooci-rerun').count() === 0, 'job page: rerun offered to anonymous');
  await noInjection('declined job page');
  await page.screenshot({ path: `${shots}/job-declined.png`, fullPage: true });

  // The hostile submission: a folder (model) name, README text, a log line and the title carry
  // markup; all of it shows as text and nothing runs.
  await page.goto(`${url}/jobs/${hostileJob}`);
  const body = await page.locator('body').innerText();
  expect(body.includes('<img src=x onerror=zooci_pwned=1>'), 'hostile job: the folder name is not shown as text');
  const log = await page.locator('#zooci-log').textContent();
  expect(log.includes('<img src=x onerror=zooci_pwned=1>'), 'hostile job: the log line is not shown as text');
  await noInjection('hostile job page');
  await page.screenshot({ path: `${shots}/job-hostile.png`, fullPage: true });

  // The model page draws its history as SVG on the server.
  response = await page.goto(`${url}/models/example/zoo/${modelPath}`);
  expect(response.status() === 200, `model page: HTTP ${response.status()}`);
  const points = await page.locator('#zooci-accuracy svg circle').count();
  expect(points >= 1, `model page: ${points} points on the accuracy chart`);
  const box = await page.locator('#zooci-accuracy svg').boundingBox();
  expect(box && box.width > 400 && box.height > 150, `model page: chart box ${JSON.stringify(box)}`);
  expect(await page.locator('#zooci-manifest').count() === 1, 'model page: no manifest entry');
  expect((await chartOf('#zooci-accuracy')).title.startsWith('top-1 accuracy'),
         'model page: the classifier\'s chart is not top-1');
  await noInjection('model page');
  await page.screenshot({ path: `${shots}/model.png`, fullPage: true });

  // A detector's page charts mAP@[.5:.95] and mAP@0.5, a segmenter's mIoU and pixel accuracy,
  // each with its claim as the dashed line at the claimed value.
  for (const [name, path, title, series, metric] of [
    ['detector', detectorPath, 'mAP', ['mAP@[.5:.95]', 'mAP@0.5'], 'mAP@[.5:.95]'],
    ['segmenter', segmenterPath, 'mIoU', ['mIoU', 'pixel acc.'], 'mIoU'],
  ]) {
    response = await page.goto(`${url}/models/example/zoo/${path}`);
    expect(response.status() === 200, `${name} page: HTTP ${response.status()}`);
    const chart = await chartOf('#zooci-accuracy');
    expect(chart.title.startsWith(title), `${name} page: chart title '${chart.title}'`);
    for (const one of series) {
      expect(chart.legend.includes(one), `${name} page: no '${one}' series in ${JSON.stringify(chart.legend)}`);
      expect(chart.points.some((p) => p.includes(`: ${one} `)),
             `${name} page: no point of '${one}' in ${JSON.stringify(chart.points)}`);
    }
    expect(chart.claims.length === 1 && /^claimed \d/.test(chart.claims[0]),
           `${name} page: claim lines ${JSON.stringify(chart.claims)}`);
    // The headline series' newest point sits on the claimed value when the claim is met exactly
    // (the fixtures claim what they measure): same y as the dashed line, to the pixel.
    const measured = chart.points.filter((p) => p.includes(`: ${metric} `)).pop() || '';
    const claimed = Number((chart.claims[0] || '').split(' ')[1]);
    const value = Number(measured.split(`: ${metric} `)[1]?.split(' ')[0]);
    expect(Math.abs(value - claimed) < 0.01, `${name} page: ${metric} ${value} vs claimed ${claimed}`);
    expect(Math.abs(chart.claimY - chart.lastY[metric]) < 1,
           `${name} page: the claim line at y ${chart.claimY}, ${metric} at ${chart.lastY[metric]}`);
    const cell = await page.locator('table').first().innerText();
    expect(cell.includes(metric), `${name} page: the reviews table has no '${metric}' column`);
    await noInjection(`${name} page`);
    await page.screenshot({ path: `${shots}/model-${name}.png`, fullPage: true });
  }

  // Rerun without the admin token: refused (no form, and a forged POST gets 403).
  await page.goto(`${url}/jobs/${declinedJob}`);
  const forged = await page.evaluate(async (job) => {
    const reply = await fetch(`/jobs/${job}/rerun`, { method: 'POST', body: new URLSearchParams({ csrf: 'x' }) });
    return reply.status;
  }, declinedJob);
  expect(forged === 403, `rerun without the admin token: HTTP ${forged}`);

  // With the admin token: sign in, rerun from the job page, and follow the new job to its end:
  // the log streams in (the page's script appends it) and the page shows the verdict.
  await page.goto(`${url}/login`);
  await page.fill('input[name="token"]', adminToken);
  await Promise.all([page.waitForURL(`${url}/`), page.click('button')]);
  await page.goto(`${url}/jobs/${declinedJob}`);
  await Promise.all([page.waitForURL(/\/jobs\/\d+$/), page.click('#zooci-rerun')]);
  const rerunId = Number(page.url().split('/').pop());
  expect(rerunId > Number(hostileJob), `rerun went to job ${rerunId}`);
  const state = (await page.locator('#zooci-state').textContent()).trim();
  expect(['queued', 'running'].includes(state), `the new job is ${state}`);
  await page.screenshot({ path: `${shots}/job-rerun-running.png`, fullPage: true });
  const streamed = await page.waitForFunction(
    () => document.getElementById('zooci-log').textContent.includes('fetch '), null,
    { timeout: 120000 }).then(() => true, () => false);
  expect(streamed, 'the running job\'s log did not stream into the page');
  const verdict = await page.waitForFunction(
    () => document.getElementById('zooci-verdict')?.textContent.trim() === 'DECLINE', null,
    { timeout: 240000 }).then(() => true, () => false);
  expect(verdict, 'the rerun job page did not reach its DECLINE verdict by itself');
  await page.screenshot({ path: `${shots}/job-rerun-done.png`, fullPage: true });
  expect(pageErrors.length === 0, `page errors: ${pageErrors.join('; ')}`);
} catch (error) {
  failures.push(`exception: ${error.stack || error}`);
} finally {
  expect(dialogs.length === 0, `dialogs opened (injected script ran): ${dialogs.join('; ')}`);
  await browser.close();
}
if (failures.length) {
  for (const failure of failures) console.error('FAILED: ' + failure);
  process.exit(1);
}
console.log('browser ok');
