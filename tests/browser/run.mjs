// Headless Chromium (Debian's) driven by playwright-core against a running `histkg serve`:
// the home page, a name search in Cyrillic, an entity page, a curated query, the network view
// and the timeline. Saves a screenshot of each page into SCREENSHOTS (argument 2).
// Usage: node run.mjs http://127.0.0.1:PORT/ SCREENSHOTS_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, shots, site] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
const check = (ok, what) => { if (!ok) { throw new Error(`browser check failed: ${what}`); } console.log(`ok: ${what}`); };

await page.goto(base);
check((await page.title()).includes("Russian monitoring"), "home page has the dataset title");
check(await page.locator("a", { hasText: "Darma-Bala" }).count() > 0, "home page lists Darma-Bala among the actors");
await page.screenshot({ path: `${shots}/home.png`, fullPage: false });

await page.fill("input[name=q]", "Абулхаир");
await Promise.all([page.waitForURL(/search/), page.press("input[name=q]", "Enter")]);
check(await page.locator("li a", { hasText: "Abulkhair" }).count() === 1, "a Cyrillic search finds Abulkhair");
await page.screenshot({ path: `${shots}/search.png` });

await Promise.all([page.waitForURL(/actor\/abulkhair/), page.click("li a:has-text('Abulkhair')")]);
check(await page.locator("h1", { hasText: "Abulkhair" }).count() === 1, "the entity page opens");
check(await page.locator("table.relations tr").count() > 3, "the entity page lists relations");
check(await page.locator("ol.sources li").count() > 3, "the entity page lists its sources");
await page.screenshot({ path: `${shots}/entity.png`, fullPage: true });

await page.goto(base);
await Promise.all([page.waitForURL(/sparql\?query=/), page.click("li:has-text('(reporting-chain)') a")]);
check(await page.locator("th", { hasText: "report" }).count() > 0 && await page.locator("tr").count() > 2, "a curated query runs with one click");
await page.screenshot({ path: `${shots}/query.png` });

await page.goto(new URL("network", base).href);
await page.waitForSelector("#network canvas");
check(await page.locator("#network canvas").count() === 1, "the network view draws its canvas");
const relations = Number((await page.textContent("#count")).split(" ")[0]);
check(relations > 50, `the network view shows ${relations} relations`);
await page.selectOption("#relation", "spouseOf");
const spouses = Number((await page.textContent("#count")).split(" ")[0]);
check(spouses > 0 && spouses < relations, `filtering by relation type keeps ${spouses}`);
await page.fill("#from", "1741"); await page.fill("#to", "1742"); await page.selectOption("#relation", "");
const period = Number((await page.textContent("#count")).split(" ")[0]);
check(period > 0 && period < relations, `filtering by period keeps ${period}`);
await page.screenshot({ path: `${shots}/network.png` });

await page.goto(new URL("timeline", base).href);
await page.waitForSelector(".vis-item");
const items = await page.locator(".vis-item").count();
check(items > 10, `the timeline draws ${items} events`);
await page.screenshot({ path: `${shots}/timeline.png` });

await Promise.all([page.waitForURL(/findings$/), page.click("header a:has-text('Doubts')")]);
const kinds = await page.locator("main h2").count();
check(kinds >= 3 && await page.locator("main tr").count() > 20, `the findings page lists ${kinds} kinds of doubt`);
await page.screenshot({ path: `${shots}/findings.png`, fullPage: true });
await Promise.all([
  page.waitForURL(/assertion\/abulkhair-ruled-kazakh-junior-zhuz$/),
  page.click("td a:has-text('assertion:abulkhair-ruled-kazakh-junior-zhuz')"),
]);
check(await page.locator("h2", { hasText: "Doubts" }).count() === 1
  && await page.locator("ul.doubts li", { hasText: "evidence/single-tertiary-source" }).count() === 1,
  "an assertion resting on one encyclopedia entry shows its doubt on its page");
await page.screenshot({ path: `${shots}/doubts.png`, fullPage: true });

if (site) {
  // The static site from `histkg publish`, served by a plain file server.
  await page.goto(site);
  check(await page.locator("a", { hasText: "Darma-Bala" }).count() > 0, "the static home page lists Darma-Bala");
  await Promise.all([page.waitForURL(/actor\/darma-bala\/$/), page.click("a:has-text('Darma-Bala')")]);
  check(await page.locator("h1", { hasText: "Darma-Bala" }).count() === 1, "a static entity page opens from a plain file server");
  await Promise.all([page.waitForURL(/actor\/ayuka\/$/), page.click("table.relations a:text-is('Ayuka')")]);
  check(await page.locator("h1", { hasText: "Ayuka" }).count() === 1, "relative links lead from entity to entity");
  await page.goto(new URL("network/index.html", site).href);
  await page.waitForSelector("#network canvas");
  check(true, "the static network view loads its vendored library");
  await page.screenshot({ path: `${shots}/static-entity.png` });
}

await browser.close();
console.log(`screenshots in ${shots}`);
