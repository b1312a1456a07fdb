const { chromium } = require('playwright-core');
(async () => {
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--autoplay-policy=no-user-gesture-required',
    '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'] });
  const p = await b.newPage();
  p.on('console', m => console.error('console:', m.text()));
  await p.goto(process.argv[2]);
  await p.waitForFunction(() => window.result, null, { timeout: 30000 });
  console.log(JSON.stringify(await p.evaluate(() => window.result), null, 1));
  await b.close();
})().catch(e => { console.error(e); process.exit(1); });
